/*
 * rankcode Cortex-M runtime: LSTM and dense kernels for weights in the blocked
 * layout below, built on the portable runtime rc_runtime.h. On a core with the
 * Arm DSP extension (Cortex-M4, M7, M33 and M55 with DSP) the dot products use
 * the ACLE intrinsics __sxtb16 and __smlad, two 16-bit multiply-accumulates per
 * instruction. Elsewhere portable C99 kernels read the same layout. Both give
 * the results of rankcode's integer reference simulator bit for bit, because
 * every dot product is an exact int32 sum: the compiler proves for every row
 * that sum_j |w_j| * max|x_j| < 2^31, so no partial sum overflows in any order.
 *
 * Q formats: inputs int8, hidden state Q0.15 (int16), gate pre-activations
 * Q3.12 (int16), cell Q16.15 (int32), logits Q.12 (int32).
 */
#ifndef RC_CORTEX_M_H
#define RC_CORTEX_M_H

#include <stddef.h>
#include <stdint.h>

#include "rc_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Kernel choice, made when rc_cortex_m.c is compiled: the DSP kernels need the
 * DSP extension with its SIMD32 instructions and a little-endian core. Define
 * RC_DISABLE_DSP to build the portable kernels on any core.
 */
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && !defined(__ARM_BIG_ENDIAN) && \
    !defined(RC_DISABLE_DSP)
#define RC_CM_USE_DSP 1
#else
#define RC_CM_USE_DSP 0
#endif

/*
 * Blocked weight layout. A matrix of R rows and K int8 columns is stored as
 * int32 words of four weights of one row each. With G = ceil(K / 4) column
 * groups, byte i of the word for row r and group g (bits 8i to 8i + 7, two's
 * complement) is the weight of column 4g + lane[i], and 0 when that column is
 * K or more.
 *   - Rows 4b to 4b + 3 form block b, for b < floor(R / 4). The block's words
 *     follow one another group by group, the four rows of a group together:
 *     the word of row 4b + k and group g is at index (b * G + g) * 4 + k.
 *   - The R % 4 rows left over (only in dense layers, since an LSTM has
 *     4 * units rows) follow all blocks, one row of G words after another.
 * lane = {0, 1, 2, 3} for a matrix applied to int8 values (the LSTM kernel) and
 * {0, 2, 1, 3} for one applied to int16 values (the recurrent and dense
 * kernels). SXTB16 of a word then gives the int16 pair of bytes 0 and 2, and of
 * the word rotated by 8 bits the pair of bytes 1 and 3. These line up with the
 * input pairs (x0, x2), (x1, x3) of an int8 input word and (h0, h1), (h2, h3) of
 * two int16 input words, the operands of SMLAD.
 */

/* LSTM layer with blocked weights; gate rows are ordered i, f, g (cell candidate), o, `units` rows each. */
typedef struct {
  size_t input_size;
  size_t units;
  const int32_t *kernel; /* 4 * units rows, input_size columns, blocked with lanes {0, 1, 2, 3} */
  rc_requant kernel_requant;
  const int32_t *recurrent_kernel; /* 4 * units rows, units columns, blocked with lanes {0, 2, 1, 3} */
  rc_requant recurrent_requant;
  const int32_t *bias; /* [4 * units], Q3.12 */
} rc_cm_lstm_layer;

/* Dense output layer with blocked weights, producing Q.12 logits. */
typedef struct {
  size_t input_size;
  size_t units;
  const int32_t *kernel; /* units rows, input_size columns, blocked with lanes {0, 2, 1, 3} */
  rc_requant requant;
  const int32_t *bias; /* [units], Q.12 */
} rc_cm_dense_layer;

/* A whole network: one LSTM layer, one dense softmax or sigmoid layer and the spike bound. */
typedef struct {
  const rc_cm_lstm_layer *lstm;
  const rc_cm_dense_layer *dense;
  const rc_tables *tables;
  /* K of rc_spike_test for a softmax output, L of rc_sigmoid_spike_test for a sigmoid output. */
  int32_t spike_bound;
  rc_output_kind output;
} rc_cm_network;

/* Name of the kernels this build of rc_cortex_m.c contains: "dsp" or "portable". */
extern const char rc_cm_kernels[];

/*
 * One LSTM step: updates hidden and cell from an int8 input frame; gates is
 * scratch. hidden must be 4-byte aligned, which the state struct of
 * <prefix>_model.h guarantees, because the DSP kernels load it two words at once.
 */
void rc_cm_lstm_step(const rc_cm_lstm_layer *layer, const rc_tables *tables, const int8_t *input, int16_t *hidden,
                     int32_t *cell, int16_t *gates);
/* Dense logits from the Q0.15 hidden state (4-byte aligned, as above). */
void rc_cm_dense_logits(const rc_cm_dense_layer *layer, const int16_t *input, int32_t *logits);

/* Clears the state: zero hidden, cell and logits, no frames computed, no spike held. */
void rc_cm_reset(const rc_cm_network *network, const rc_state_view *state);
/*
 * Runs one frame and writes the result to *out, with the contract of rc_step:
 * once a spike is held it copies the held result and computes nothing until
 * rc_cm_reset. Checks, in this order: NULL pointers (RC_ERR_NULL), the frame
 * length (RC_ERR_FRAME_SIZE, also while a spike is held), then a held spike
 * (RC_OK). On an error the state and *out are unchanged.
 */
rc_status rc_cm_step(const rc_cm_network *network, const rc_state_view *state, const int8_t *frame, size_t frame_len,
                     rc_result *out);

#ifdef __cplusplus
}
#endif

#endif /* RC_CORTEX_M_H */
