/*
 * rankcode C runtime: the GRU step of rc_layers.h, Keras gate order z, r, h,
 * with reset_after true or false. Mirrors gruStep in rankcode's
 * compiler/simulator-layers.ts.
 */
#include "rc_layers.h"

/*
 * One GRU step; act is the layer's gate activation, b the input bias and b'
 * the recurrent bias (zero unless reset_after).
 *   a_z, a_r = sat16(rq(W . x) + b + rq(U . h) + b')                           Q3.12
 *   z, r = act(a_z), act(a_r)                                                   Q0.15 in [0, 32768]
 *   reset_after 0:  rh = (r * h + 2^14) >> 15                                    Q0.15
 *                   a_h = sat16(rq(W_h . x) + b_h + rq(U_h . rh) + b'_h)         Q3.12
 *   reset_after 1:  m = sat32(rq(U_h . h) + b'_h)                                Q3.12
 *                   a_h = sat16(rq(W_h . x) + b_h + ((r * m + 2^14) >> 15))      Q3.12
 *   h' = sat16((z * h + (32768 - z) * tanh(a_h) + 2^14) >> 15)                   Q0.15
 * >> is a floor shift. rh fits int16 because 0 <= r <= 32768; |r * m| <= 2^46;
 * |z h + (1 - z) hh| <= 2^30.
 */
void rc_gru_forward(const rc_gru *layer, const rc_tables *tables, rc_vector input, int16_t *hidden, int16_t *gates) {
  const size_t units = layer->units;
  const rc_vector previous = rc_vector_s16(hidden);
  size_t r;
  size_t u;

  /* 1. Update and reset gate pre-activations, from the previous hidden state. */
  for (r = 0; r < 2u * units; r++) {
    const int64_t pre = rc_matrix_row(&layer->kernel, r, input) + layer->bias[r] + rc_matrix_row(&layer->recurrent, r, previous) +
                        layer->recurrent_bias[r];
    gates[r] = rc_saturate_s16(pre);
  }

  /* 2. Candidate pre-activations. Both forms still read the previous hidden state. */
  if (layer->reset_after) {
    for (u = 0; u < units; u++) {
      const size_t row = 2u * units + u;
      const int32_t reset = rc_gate_q15(layer->gate, tables, gates[units + u]);
      const int32_t recurrent = rc_saturate_s32(rc_matrix_row(&layer->recurrent, row, previous) + layer->recurrent_bias[row]);
      const int64_t pre = rc_matrix_row(&layer->kernel, row, input) + layer->bias[row] + rc_round_shift_s64((int64_t)reset * recurrent, 15u);
      gates[row] = rc_saturate_s16(pre);
    }
  } else {
    /* r * h replaces the reset pre-activations, which are not needed any more. */
    for (u = 0; u < units; u++) {
      const int32_t reset = rc_gate_q15(layer->gate, tables, gates[units + u]);
      gates[units + u] = (int16_t)rc_round_shift_s64((int64_t)reset * hidden[u], 15u);
    }
    for (u = 0; u < units; u++) {
      const size_t row = 2u * units + u;
      const int64_t pre = rc_matrix_row(&layer->kernel, row, input) + layer->bias[row] +
                          rc_matrix_row(&layer->recurrent, row, rc_vector_s16(gates + units)) + layer->recurrent_bias[row];
      gates[row] = rc_saturate_s16(pre);
    }
  }

  /* 3. The new hidden state, a convex combination of h and the candidate. */
  for (u = 0; u < units; u++) {
    const int32_t update = rc_gate_q15(layer->gate, tables, gates[u]);
    const int32_t candidate = rc_activation_q15(tables->tanh_q15, gates[2u * units + u]);
    const int64_t sum = (int64_t)update * hidden[u] + (int64_t)(RC_ONE_Q15 - update) * candidate;
    hidden[u] = rc_saturate_s16(rc_round_shift_s64(sum, 15u));
  }
}
