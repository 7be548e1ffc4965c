/*
 * rankcode C runtime: the LSTM step of rc_layers.h for any input (int8 frame
 * or int16 Q0.15 hidden state of the layer below), int8 or int16 weights and
 * any gate activation. Mirrors lstmStep in rankcode's compiler/simulator-layers.ts.
 */
#include "rc_layers.h"

/*
 * One LSTM step, gate order i, f, g, o; act is the layer's gate activation.
 *   a_r = sat16(rq(W_r . x, kx_r) + rq(U_r . h, kh_r) + b_r)        Q3.12
 *   i, f, o = act(a), g = tanh(a)                                   Q0.15, act in [0, 32768]
 *   c'  = sat32((f * c + i * g + 2^14) >> 15)                       Q16.15
 *   h'  = sat16((o * tanh(sat16((c' + 4) >> 3)) + 2^14) >> 15)     Q0.15
 * >> is a floor shift. |f * c| <= 2^15 * 2^31 = 2^46 and |i * g| <= 2^30, so the
 * cell sum is exact in int64; |o * tanh| <= 2^30.
 */
void rc_lstm_forward(const rc_lstm *layer, const rc_tables *tables, rc_vector input, int16_t *hidden, int32_t *cell,
                     int16_t *gates) {
  const size_t units = layer->units;
  const rc_vector previous = rc_vector_s16(hidden);
  size_t r;
  size_t u;

  /* 1. All gate pre-activations first, because every row reads the previous hidden state. */
  for (r = 0; r < 4u * units; r++) {
    const int64_t pre = rc_matrix_row(&layer->kernel, r, input) + rc_matrix_row(&layer->recurrent, r, previous) + layer->bias[r];
    gates[r] = rc_saturate_s16(pre);
  }

  /* 2. Per unit: gate activations, then the cell and hidden updates. */
  for (u = 0; u < units; u++) {
    const int32_t input_gate = rc_gate_q15(layer->gate, tables, gates[u]);
    const int32_t forget_gate = rc_gate_q15(layer->gate, tables, gates[units + u]);
    const int32_t candidate = rc_activation_q15(tables->tanh_q15, gates[2u * units + u]);
    const int32_t output_gate = rc_gate_q15(layer->gate, tables, gates[3u * units + u]);
    const int64_t cell_sum = (int64_t)forget_gate * cell[u] + (int64_t)input_gate * candidate;
    const int32_t next_cell = rc_saturate_s32(rc_round_shift_s64(cell_sum, 15u));
    /* Q16.15 to Q3.12 for the tanh table; c' + 4 can exceed int32, so the shift is done in int64. */
    const int16_t cell_q12 = rc_saturate_s16(rc_round_shift_s64(next_cell, 3u));
    const int32_t cell_tanh = rc_activation_q15(tables->tanh_q15, cell_q12);
    cell[u] = next_cell;
    hidden[u] = rc_saturate_s16(rc_round_shift_s64((int64_t)output_gate * cell_tanh, 15u));
  }
}
