/*
 * rankcode C runtime: the integer-only kernels of a rank-coding LSTM classifier.
 *
 * Portable C99: no floating point, no dynamic memory, no libm and no global
 * mutable state. Every state lives in a caller-owned struct, so one build can run
 * several models and several streams at once. The kernels reproduce rankcode's
 * integer reference simulator (compiler/simulator.ts) bit for bit; the formats,
 * rounding and saturation rules are written out in rankcode's docs/FIXED_POINT.md.
 *
 * Q formats used below: gate pre-activations Q3.12 (int16), gate outputs and the
 * hidden state Q0.15 (int16), the cell state Q16.15 (int32), logits Q.12 (int32),
 * exp values Q0.16 (int32), confidences Q0.15.
 *
 * An application normally calls only the functions that rc-compile generates in
 * <prefix>_model.h; the declarations here are what those functions are built on.
 */
#ifndef RC_RUNTIME_H
#define RC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Lookup tables: 513 activation entries over Q3.12 [-8, 8], one every 2^7 LSBs. */
#define RC_ACT_TABLE_SIZE 513
#define RC_ACT_TABLE_SHIFT 7
/* 257 entries of exp(-k/16) in Q0.16, one every 2^8 LSBs of a Q.12 logit distance. */
#define RC_EXP_TABLE_SIZE 257
#define RC_EXP_TABLE_SHIFT 8
/* exp(-d) is 0 for a logit distance d >= 16.0, that is 65536 in Q.12. */
#define RC_EXP_INPUT_LIMIT 65536

typedef enum {
  RC_OK = 0,
  RC_ERR_NULL = -1,      /* a required pointer argument is NULL */
  RC_ERR_FRAME_SIZE = -2 /* the frame does not have the model's input size */
} rc_status;

/* The output layer's activation, which picks the spike test. */
typedef enum {
  RC_OUTPUT_SOFTMAX = 0, /* rc_spike_test: spike when sum_j exp(z_j - z_max) <= K */
  RC_OUTPUT_SIGMOID = 1  /* rc_sigmoid_spike_test: spike when a class logit reaches L */
} rc_output_kind;

/* Result of a step: the running decision, or the held one after a spike. */
typedef struct {
  uint32_t step;       /* 1-based number of the frame that spiked, or of the last computed frame */
  int32_t class_index; /* predicted class: argmax of the logits (lowest index on ties), or z > 0 for one sigmoid unit */
  int32_t confidence;  /* score of the class, Q0.15 in [0, 32767]: top softmax probability or sigmoid output */
  int32_t spiked;      /* 1 once a frame passed the spike test, else 0 */
} rc_result;

/* Per-row requantization: real multiplier = mult * 2^-shift. */
typedef struct {
  const int16_t *mult;  /* 0 <= mult < 2^15 */
  const uint8_t *shift; /* 1..62 */
} rc_requant;

/* LSTM layer; gate rows are ordered i, f, g (cell candidate), o, `units` rows each. */
typedef struct {
  size_t input_size;
  size_t units;
  const int8_t *kernel; /* [4 * units][input_size] */
  rc_requant kernel_requant;
  const int8_t *recurrent_kernel; /* [4 * units][units] */
  rc_requant recurrent_requant;
  const int32_t *bias; /* [4 * units], Q3.12 */
} rc_lstm_layer;

/* Dense output layer producing Q.12 logits. */
typedef struct {
  size_t input_size;
  size_t units;
  const int8_t *kernel; /* [units][input_size] */
  rc_requant requant;
  const int32_t *bias; /* [units], Q.12 */
} rc_dense_layer;

/* Constant lookup tables emitted by the compiler; the device never computes them. */
typedef struct {
  const int16_t *sigmoid_q15; /* [RC_ACT_TABLE_SIZE] */
  const int16_t *tanh_q15;    /* [RC_ACT_TABLE_SIZE] */
  const int32_t *exp_q16;     /* [RC_EXP_TABLE_SIZE] */
} rc_tables;

/* A whole network: one LSTM layer, one dense softmax or sigmoid layer and the spike bound. */
typedef struct {
  const rc_lstm_layer *lstm;
  const rc_dense_layer *dense;
  const rc_tables *tables;
  /* K of rc_spike_test for a softmax output, L of rc_sigmoid_spike_test for a sigmoid output. */
  int32_t spike_bound;
  rc_output_kind output;
} rc_network;

/* Pointers into a caller-owned state struct, sized for one network. */
typedef struct {
  int16_t *hidden;           /* [units], Q0.15 */
  int32_t *cell;             /* [units], Q16.15 */
  int16_t *gates;            /* [4 * units], Q3.12 scratch */
  int32_t *logits;           /* [classes], Q.12 */
  uint32_t *frames_computed; /* frames computed since the last reset */
  rc_result *held;           /* the spike result once held->spiked is 1 */
} rc_state_view;

/* Exact dot products of an int8 weight row; the compiler proves |result| < 2^31. */
int32_t rc_dot_s8_s8(const int8_t *weights, const int8_t *input, size_t length);
int32_t rc_dot_s8_s16(const int8_t *weights, const int16_t *input, size_t length);

/* floor((value + 2^(shift-1)) / 2^shift): round half up; requires 1 <= shift <= 62, |value| < 2^62. */
int64_t rc_round_shift_s64(int64_t value, unsigned shift);
/* round(acc * mult * 2^-shift), half up. */
int64_t rc_requantize(int32_t acc, int16_t mult, uint8_t shift);
int16_t rc_saturate_s16(int64_t value);
int32_t rc_saturate_s32(int64_t value);

/* Table activation with linear interpolation: Q3.12 in, Q0.15 out. */
int16_t rc_activation_q15(const int16_t *table, int16_t input);
/* exp(-d) in Q0.16 for a logit distance d in Q.12. */
int32_t rc_exp_neg_q16(const int32_t *exp_table, uint32_t distance);

/* One LSTM step: updates hidden and cell from an int8 input frame; gates is scratch. */
void rc_lstm_step(const rc_lstm_layer *layer, const rc_tables *tables, const int8_t *input, int16_t *hidden,
                  int32_t *cell, int16_t *gates);
/*
 * Second half of an LSTM step, shared with runtimes that compute the gates with
 * their own kernels. It updates the cell (Q16.15) and hidden (Q0.15) state of
 * every unit from the 4 * units gate pre-activations (Q3.12, rows i, f, g, o).
 */
void rc_lstm_update(size_t units, const rc_tables *tables, const int16_t *gates, int16_t *hidden, int32_t *cell);
/* Dense logits from the Q0.15 hidden state. */
void rc_dense_logits(const rc_dense_layer *layer, const int16_t *input, int32_t *logits);
/* Spike test, class and confidence of one frame's softmax logits; leaves out->step unchanged. */
void rc_spike_test(const int32_t *logits, size_t classes, int32_t spike_bound, const int32_t *exp_table,
                   rc_result *out);
/*
 * Spike test, class and confidence of one frame's sigmoid logits (logit_count 1
 * for two classes, else one per class) against the bound L; leaves out->step unchanged.
 */
void rc_sigmoid_spike_test(const int32_t *logits, size_t logit_count, int32_t spike_bound, const int16_t *sigmoid_table,
                           rc_result *out);
/* The spike test of the output layer's kind. */
void rc_output_spike_test(rc_output_kind output, const int32_t *logits, size_t logit_count, int32_t spike_bound,
                          const rc_tables *tables, rc_result *out);

/* Clears the state: zero hidden, cell and logits, no frames computed, no spike held. */
void rc_reset(const rc_network *network, const rc_state_view *state);
/* rc_reset for a state of `units` LSTM units and `logit_count` logits. */
void rc_clear_state(size_t units, size_t logit_count, const rc_state_view *state);
/*
 * Ends a computed frame whose logits are in state->logits: counts the frame, runs
 * the spike test of `output`, keeps a spike as the held result and writes the result to *out. rc_step calls it
 * after the layers; runtimes with their own layer kernels call it the same way.
 */
void rc_finish_frame(const rc_state_view *state, rc_output_kind output, size_t logit_count, int32_t spike_bound,
                     const rc_tables *tables, rc_result *out);
/*
 * Runs one frame and writes the result to *out. Once a spike is held it copies the
 * held result without computing anything until rc_reset. Checks, in this order:
 * NULL pointers (RC_ERR_NULL), the frame length (RC_ERR_FRAME_SIZE, also while a
 * spike is held), then a held spike (RC_OK). On an error the state and *out are
 * unchanged.
 */
rc_status rc_step(const rc_network *network, const rc_state_view *state, const int8_t *frame, size_t frame_len,
                  rc_result *out);

#ifdef __cplusplus
}
#endif

#endif /* RC_RUNTIME_H */
