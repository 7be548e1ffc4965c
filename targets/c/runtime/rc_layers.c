/*
 * rankcode C runtime: matrix rows, gate activations and dense layers of
 * rc_layers.h. Each function mirrors the one of the same role in rankcode's
 * compiler/simulator-layers.ts and compiler/fixed-point.ts.
 */
#include "rc_layers.h"

rc_vector rc_vector_s8(const int8_t *values) {
  rc_vector vector;
  vector.s8 = values;
  vector.s16 = NULL;
  return vector;
}

rc_vector rc_vector_s16(const int16_t *values) {
  rc_vector vector;
  vector.s8 = NULL;
  vector.s16 = values;
  return vector;
}

/* |w * x| <= 32767 * 128 per product; the compiler proves |sum| < 2^47. */
int64_t rc_dot_s16_s8_s64(const int16_t *weights, const int8_t *input, size_t length) {
  int64_t acc = 0;
  size_t k;
  for (k = 0; k < length; k++) acc += (int32_t)weights[k] * (int32_t)input[k];
  return acc;
}

/* |w * x| <= 32767 * 32768 < 2^31 per product, so each product fits int32; the compiler proves |sum| < 2^47. */
int64_t rc_dot_s16_s16_s64(const int16_t *weights, const int16_t *input, size_t length) {
  int64_t acc = 0;
  size_t k;
  for (k = 0; k < length; k++) acc += (int32_t)weights[k] * (int32_t)input[k];
  return acc;
}

/*
 * rq(M_r . x) = round(acc * mult * 2^-shift), half up.
 * int8 weights: |acc| < 2^31, so |acc * mult| < 2^46.
 * int16 weights: |acc| < 2^47, so |acc * mult| < 2^62 and the rounding term keeps it below 2^63.
 */
int64_t rc_matrix_row(const rc_matrix *matrix, size_t row, rc_vector input) {
  const size_t offset = row * matrix->columns;
  const int16_t mult = matrix->requant.mult[row];
  const uint8_t shift = matrix->requant.shift[row];
  if (matrix->s8 != NULL) {
    const int32_t acc = input.s8 != NULL ? rc_dot_s8_s8(matrix->s8 + offset, input.s8, matrix->columns)
                                         : rc_dot_s8_s16(matrix->s8 + offset, input.s16, matrix->columns);
    return rc_requantize(acc, mult, shift);
  } else {
    const int64_t acc = input.s8 != NULL ? rc_dot_s16_s8_s64(matrix->s16 + offset, input.s8, matrix->columns)
                                         : rc_dot_s16_s16_s64(matrix->s16 + offset, input.s16, matrix->columns);
    return rc_round_shift_s64(acc * mult, shift);
  }
}

/*
 * sigmoid: table lookup with interpolation.
 * hard_sigmoid (Keras 2): a <= -10240 -> 0, a >= 10240 -> 32768, else (16 a + 163845) / 10
 *   = round(1.6 a + 16384) half up; the numerator lies in [21, 327669], so / is a floor.
 * hard_sigmoid (Keras 3): a <= -12288 -> 0, a >= 12288 -> 32768, else (8 a + 98307) / 6
 *   = round(4 a / 3 + 16384) half up; the numerator lies in [11, 196603].
 */
int32_t rc_gate_q15(rc_gate_kind kind, const rc_tables *tables, int16_t a) {
  switch (kind) {
  case RC_GATE_HARD_SIGMOID_KERAS2:
    if (a <= -10240) return 0;
    if (a >= 10240) return RC_ONE_Q15;
    return (16 * (int32_t)a + 163845) / 10;
  case RC_GATE_HARD_SIGMOID_KERAS3:
    if (a <= -12288) return 0;
    if (a >= 12288) return RC_ONE_Q15;
    return (8 * (int32_t)a + 98307) / 6;
  case RC_GATE_SIGMOID:
  default:
    return rc_activation_q15(tables->sigmoid_q15, a);
  }
}

/*
 * relu, linear:  y_r = sat16(act(rq(V_r . x) + b_r)) in Q(15-f).f
 * sigmoid:       y_r = sigmoid(sat16(rq(V_r . x) + b_r)), Q3.12 sum, Q0.15 output in [0, 32767]
 * The sum is exact in int64: the compiler proves that the requantized term plus the bias stays below 2^52.
 */
void rc_dense_hidden_forward(const rc_dense *layer, const rc_tables *tables, rc_vector input, int16_t *out) {
  size_t r;
  for (r = 0; r < layer->units; r++) {
    int64_t value = rc_matrix_row(&layer->kernel, r, input) + layer->bias[r];
    if (layer->activation == RC_DENSE_SIGMOID) {
      out[r] = rc_activation_q15(tables->sigmoid_q15, rc_saturate_s16(value));
      continue;
    }
    if (layer->activation == RC_DENSE_RELU && value < 0) value = 0;
    out[r] = rc_saturate_s16(value);
  }
}

/* z_r = sat32(rq(V_r . x) + b_r) in Q.12. */
void rc_dense_logits_forward(const rc_dense *layer, rc_vector input, int32_t *logits) {
  size_t r;
  for (r = 0; r < layer->units; r++) logits[r] = rc_saturate_s32(rc_matrix_row(&layer->kernel, r, input) + layer->bias[r]);
}
