/*
 * rankcode C runtime: integer-only kernels. See rc_runtime.h for the contract and
 * rankcode's docs/FIXED_POINT.md for the formats. Each kernel mirrors the function
 * of the same name in rankcode's compiler/simulator.ts and compiler/fixed-point.ts.
 */
#include "rc_runtime.h"

/*
 * floor(value / 2^shift). C99 leaves >> of a negative value implementation-defined,
 * so a negative value shifts its complement instead: floor(v / 2^s) = ~(~v >> s).
 */
static int64_t floor_shift_s64(int64_t value, unsigned shift) {
  return value >= 0 ? value >> shift : ~((~value) >> shift);
}

static int32_t floor_shift_s32(int32_t value, unsigned shift) {
  return value >= 0 ? value >> shift : ~((~value) >> shift);
}

/* Round half up in int32; the caller guarantees that value + 2^(shift-1) fits. */
static int32_t round_shift_s32(int32_t value, unsigned shift) {
  return floor_shift_s32(value + (INT32_C(1) << (shift - 1u)), shift);
}

int32_t rc_dot_s8_s8(const int8_t *weights, const int8_t *input, size_t length) {
  int32_t acc = 0;
  size_t k;
  for (k = 0; k < length; k++) acc += (int32_t)weights[k] * (int32_t)input[k];
  return acc;
}

int32_t rc_dot_s8_s16(const int8_t *weights, const int16_t *input, size_t length) {
  int32_t acc = 0;
  size_t k;
  for (k = 0; k < length; k++) acc += (int32_t)weights[k] * (int32_t)input[k];
  return acc;
}

int64_t rc_round_shift_s64(int64_t value, unsigned shift) {
  return floor_shift_s64(value + (INT64_C(1) << (shift - 1u)), shift);
}

/* |acc * mult| < 2^31 * 2^15 = 2^46, so the product and the rounding term fit in int64. */
int64_t rc_requantize(int32_t acc, int16_t mult, uint8_t shift) {
  return rc_round_shift_s64((int64_t)acc * mult, shift);
}

int16_t rc_saturate_s16(int64_t value) {
  if (value < INT16_MIN) return INT16_MIN;
  if (value > INT16_MAX) return INT16_MAX;
  return (int16_t)value;
}

int32_t rc_saturate_s32(int64_t value) {
  if (value < INT32_MIN) return INT32_MIN;
  if (value > INT32_MAX) return INT32_MAX;
  return (int32_t)value;
}

/*
 * In: a, int16 Q3.12. Out: int16 Q0.15.
 *   u = a + 32768, i = u >> 7, f = u & 127
 *   y = T[i] + floor(((T[i+1] - T[i]) * f + 64) / 2^7)
 * The result lies between T[i] and T[i+1], so it fits in int16.
 */
int16_t rc_activation_q15(const int16_t *table, int16_t input) {
  const int32_t u = (int32_t)input + INT32_C(32768);
  const size_t index = (size_t)(u >> RC_ACT_TABLE_SHIFT);
  const int32_t fraction = u & ((INT32_C(1) << RC_ACT_TABLE_SHIFT) - 1);
  const int32_t lower = table[index];
  const int32_t upper = table[index + 1u];
  const int32_t rise = (upper - lower) * fraction + (INT32_C(1) << (RC_ACT_TABLE_SHIFT - 1));
  return (int16_t)(lower + floor_shift_s32(rise, RC_ACT_TABLE_SHIFT));
}

/*
 * In: d >= 0, a logit distance in Q.12. Out: exp(-d) in Q0.16, 0..65536.
 *   d >= 65536 -> 0
 *   i = d >> 8, f = d & 255
 *   e = E[i] - floor(((E[i] - E[i+1]) * f + 128) / 2^8)
 */
int32_t rc_exp_neg_q16(const int32_t *exp_table, uint32_t distance) {
  size_t index;
  int32_t fraction;
  int32_t drop;
  if (distance >= (uint32_t)RC_EXP_INPUT_LIMIT) return 0;
  index = (size_t)(distance >> RC_EXP_TABLE_SHIFT);
  fraction = (int32_t)(distance & ((UINT32_C(1) << RC_EXP_TABLE_SHIFT) - 1u));
  drop = (exp_table[index] - exp_table[index + 1u]) * fraction + (INT32_C(1) << (RC_EXP_TABLE_SHIFT - 1));
  return exp_table[index] - floor_shift_s32(drop, RC_EXP_TABLE_SHIFT);
}

/*
 * One LSTM step, gate order i, f, g, o.
 *   a_r = sat16(rq(W_r . x, kx_r) + rq(U_r . h, kh_r) + b_r)        Q3.12
 *   i, f, o = sigmoid(a), g = tanh(a)                               Q0.15
 *   c'  = sat32((f * c + i * g + 2^14) >> 15)                       Q16.15
 *   h'  = sat16((o * tanh(sat16((c' + 4) >> 3)) + 2^14) >> 15)     Q0.15
 * x is int8, h is Q0.15; rq is the rounding requantization and >> a floor shift.
 */
void rc_lstm_step(const rc_lstm_layer *layer, const rc_tables *tables, const int8_t *input, int16_t *hidden,
                  int32_t *cell, int16_t *gates) {
  const size_t units = layer->units;
  const size_t rows = 4u * units;
  size_t r;

  /* 1. All gate pre-activations first, because every row reads the previous hidden state. */
  for (r = 0; r < rows; r++) {
    const int32_t acc_input = rc_dot_s8_s8(layer->kernel + r * layer->input_size, input, layer->input_size);
    const int32_t acc_hidden = rc_dot_s8_s16(layer->recurrent_kernel + r * units, hidden, units);
    const int64_t pre = rc_requantize(acc_input, layer->kernel_requant.mult[r], layer->kernel_requant.shift[r]) +
                        rc_requantize(acc_hidden, layer->recurrent_requant.mult[r], layer->recurrent_requant.shift[r]) +
                        layer->bias[r];
    gates[r] = rc_saturate_s16(pre);
  }

  /* 2. Per unit: activations, then the cell and hidden updates. */
  rc_lstm_update(units, tables, gates, hidden, cell);
}

/*
 * Per unit u, from the gate pre-activations a (Q3.12):
 *   i, f, o = sigmoid(a), g = tanh(a)                               Q0.15
 *   c'  = sat32((f * c + i * g + 2^14) >> 15)                       Q16.15
 *   h'  = sat16((o * tanh(sat16((c' + 4) >> 3)) + 2^14) >> 15)     Q0.15
 */
void rc_lstm_update(size_t units, const rc_tables *tables, const int16_t *gates, int16_t *hidden, int32_t *cell) {
  size_t u;
  for (u = 0; u < units; u++) {
    const int32_t input_gate = rc_activation_q15(tables->sigmoid_q15, gates[u]);
    const int32_t forget_gate = rc_activation_q15(tables->sigmoid_q15, gates[units + u]);
    const int32_t candidate = rc_activation_q15(tables->tanh_q15, gates[2u * units + u]);
    const int32_t output_gate = rc_activation_q15(tables->sigmoid_q15, gates[3u * units + u]);
    /* f * c needs up to 47 bits; |i * g| <= 2^30. */
    const int64_t cell_sum = (int64_t)forget_gate * cell[u] + (int64_t)(input_gate * candidate);
    const int32_t next_cell = rc_saturate_s32(rc_round_shift_s64(cell_sum, 15u));
    /* Q16.15 to Q3.12 for the tanh table; c' + 4 can exceed int32, so the shift is done in int64. */
    const int16_t cell_q12 = rc_saturate_s16(rc_round_shift_s64(next_cell, 3u));
    const int32_t cell_tanh = rc_activation_q15(tables->tanh_q15, cell_q12);
    /* 0 <= o <= 32767 and |tanh| <= 32768, so o * tanh + 2^14 fits in int32. */
    cell[u] = next_cell;
    hidden[u] = rc_saturate_s16(round_shift_s32(output_gate * cell_tanh, 15u));
  }
}

/* z_r = sat32(rq(V_r . h, m_r) + b_r), Q0.15 in, Q.12 out. */
void rc_dense_logits(const rc_dense_layer *layer, const int16_t *input, int32_t *logits) {
  size_t r;
  for (r = 0; r < layer->units; r++) {
    const int32_t acc = rc_dot_s8_s16(layer->kernel + r * layer->input_size, input, layer->input_size);
    logits[r] = rc_saturate_s32(rc_requantize(acc, layer->requant.mult[r], layer->requant.shift[r]) + layer->bias[r]);
  }
}

/*
 * With S = sum_j exp(z_j - z_max) in Q0.16, max softmax >= theta is true exactly
 * when S <= 2^16 / theta, so the frame spikes when S <= K. S >= 65536 because the
 * top class adds exp(0), and S < 2^31 because the compiler allows at most 32767
 * classes. Confidence = min(32767, floor(2^31 / S)), the top probability in Q0.15.
 */
void rc_spike_test(const int32_t *logits, size_t classes, int32_t spike_bound, const int32_t *exp_table,
                   rc_result *out) {
  size_t best = 0;
  size_t j;
  uint32_t exp_sum = 0;
  uint32_t confidence;
  for (j = 1; j < classes; j++) {
    if (logits[j] > logits[best]) best = j;
  }
  for (j = 0; j < classes; j++) {
    /* z_max - z_j lies in [0, 2^32 - 1], so modular uint32 arithmetic gives it exactly. */
    const uint32_t distance = (uint32_t)logits[best] - (uint32_t)logits[j];
    exp_sum += (uint32_t)rc_exp_neg_q16(exp_table, distance);
  }
  confidence = UINT32_C(2147483648) / exp_sum;
  out->class_index = (int32_t)best;
  out->spiked = exp_sum <= (uint32_t)spike_bound ? 1 : 0;
  out->confidence = confidence > UINT32_C(32767) ? 32767 : (int32_t)confidence;
}

/* sat16 of an int64 logit, then the sigmoid table: Q.12 in, Q0.15 out. */
static int32_t sigmoid_confidence_q15(const int16_t *sigmoid_table, int64_t logit) {
  return rc_activation_q15(sigmoid_table, rc_saturate_s16(logit));
}

/*
 * Sigmoid outputs, with L the smallest logit whose sigmoid(L / 2^12) reaches theta:
 *   one unit (two classes):  class = z > 0 ? 1 : 0; spike when z >= L or z <= -L;
 *                            confidence = sigmoid(z) for class 1, sigmoid(-z) for class 0
 *   C units (one per class): class = argmax z, lowest index on ties; spike when z_class >= L;
 *                            confidence = sigmoid(z_class)
 * sigmoid is the Q0.15 table on the logit saturated to Q3.12. -z and -L are
 * taken in int64, because z = INT32_MIN and L = INT32_MIN have no int32 negation.
 */
void rc_sigmoid_spike_test(const int32_t *logits, size_t logit_count, int32_t spike_bound, const int16_t *sigmoid_table,
                           rc_result *out) {
  size_t best = 0;
  size_t j;
  if (logit_count == 1u) {
    const int64_t z = logits[0];
    const int32_t positive = z > 0 ? 1 : 0;
    out->class_index = positive;
    out->spiked = (z >= spike_bound || z <= -(int64_t)spike_bound) ? 1 : 0;
    out->confidence = sigmoid_confidence_q15(sigmoid_table, positive ? z : -z);
    return;
  }
  for (j = 1; j < logit_count; j++) {
    if (logits[j] > logits[best]) best = j;
  }
  out->class_index = (int32_t)best;
  out->spiked = logits[best] >= spike_bound ? 1 : 0;
  out->confidence = sigmoid_confidence_q15(sigmoid_table, logits[best]);
}

void rc_output_spike_test(rc_output_kind output, const int32_t *logits, size_t logit_count, int32_t spike_bound,
                          const rc_tables *tables, rc_result *out) {
  if (output == RC_OUTPUT_SIGMOID) {
    rc_sigmoid_spike_test(logits, logit_count, spike_bound, tables->sigmoid_q15, out);
  } else {
    rc_spike_test(logits, logit_count, spike_bound, tables->exp_q16, out);
  }
}

void rc_clear_state(size_t units, size_t logit_count, const rc_state_view *state) {
  size_t k;
  for (k = 0; k < units; k++) {
    state->hidden[k] = 0;
    state->cell[k] = 0;
  }
  for (k = 0; k < logit_count; k++) state->logits[k] = 0;
  *state->frames_computed = 0;
  state->held->step = 0;
  state->held->class_index = 0;
  state->held->confidence = 0;
  state->held->spiked = 0;
}

void rc_reset(const rc_network *network, const rc_state_view *state) {
  rc_clear_state(network->lstm->units, network->dense->units, state);
}

void rc_finish_frame(const rc_state_view *state, rc_output_kind output, size_t logit_count, int32_t spike_bound,
                     const rc_tables *tables, rc_result *out) {
  rc_result result;
  *state->frames_computed += 1u;
  rc_output_spike_test(output, state->logits, logit_count, spike_bound, tables, &result);
  result.step = *state->frames_computed;
  if (result.spiked) *state->held = result;
  *out = result;
}

rc_status rc_step(const rc_network *network, const rc_state_view *state, const int8_t *frame, size_t frame_len,
                  rc_result *out) {
  if (network == NULL || state == NULL || frame == NULL || out == NULL) return RC_ERR_NULL;
  if (frame_len != network->lstm->input_size) return RC_ERR_FRAME_SIZE;
  if (state->held->spiked) {
    *out = *state->held;
    return RC_OK;
  }

  rc_lstm_step(network->lstm, network->tables, frame, state->hidden, state->cell, state->gates);
  rc_dense_logits(network->dense, state->hidden, state->logits);
  rc_finish_frame(state, network->output, network->dense->units, network->spike_bound, network->tables, out);
  return RC_OK;
}
