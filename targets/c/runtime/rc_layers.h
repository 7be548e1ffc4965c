/*
 * rankcode C runtime, layer kernels for any supported stack: LSTM and GRU
 * layers (stacked or not), hidden dense layers and the dense output layer,
 * with int8 or int16 weights and sigmoid or hard sigmoid gates. Built on the
 * primitives of rc_runtime.h; the arithmetic reproduces rankcode's integer
 * reference simulator (compiler/simulator-layers.ts) bit for bit, and
 * rankcode's docs/FIXED_POINT.md states it.
 *
 * Q formats: layer inputs are the int8 frame or an int16 layer output; gate
 * pre-activations Q3.12 (int16); gate outputs and hidden states Q0.15 (gates
 * in int32, because the hard sigmoids reach 1.0 = 32768); LSTM cell Q16.15
 * (int32); hidden relu and linear dense outputs int16 Q(15-f).f; hidden sigmoid
 * dense sums Q3.12 and outputs Q0.15 (int16); logits Q.12 (int32).
 */
#ifndef RC_LAYERS_H
#define RC_LAYERS_H

#include <stddef.h>
#include <stdint.h>

#include "rc_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Gate activation of a recurrent layer. */
typedef enum {
  RC_GATE_SIGMOID = 0,             /* the sigmoid table */
  RC_GATE_HARD_SIGMOID_KERAS2 = 1, /* clip(0.2 a + 0.5, 0, 1): Keras 2 and tfjs-layers */
  RC_GATE_HARD_SIGMOID_KERAS3 = 2  /* relu6(a + 3) / 6 = clip(a / 6 + 0.5, 0, 1): Keras 3 */
} rc_gate_kind;

/*
 * A weight matrix with `columns` columns and one row per output, row-major,
 * with per-row requantization. Exactly one of s8 and s16 is non-NULL. int8
 * rows accumulate in int32 and int16 rows in int64; the compiler proves for
 * every row that sum_j |w_j| * max|x| stays below 2^31 and 2^47 respectively.
 */
typedef struct {
  const int8_t *s8;
  const int16_t *s16;
  size_t columns;
  rc_requant requant;
} rc_matrix;

/* A layer input: the int8 frame or the int16 output of the layer below. Exactly one of s8 and s16 is non-NULL. */
typedef struct {
  const int8_t *s8;
  const int16_t *s16;
} rc_vector;

rc_vector rc_vector_s8(const int8_t *values);
rc_vector rc_vector_s16(const int16_t *values);

/* LSTM layer; gate rows are ordered i, f, g (cell candidate), o, `units` rows each. */
typedef struct {
  size_t units;
  rc_matrix kernel;    /* 4 * units rows, input_size columns */
  rc_matrix recurrent; /* 4 * units rows, units columns */
  const int32_t *bias; /* [4 * units], Q3.12 */
  rc_gate_kind gate;   /* activation of gates i, f and o */
} rc_lstm;

/* GRU layer; gate rows are ordered z (update), r (reset), h (candidate), `units` rows each. */
typedef struct {
  size_t units;
  rc_matrix kernel;              /* 3 * units rows, input_size columns */
  rc_matrix recurrent;           /* 3 * units rows, units columns */
  const int32_t *bias;           /* [3 * units], Q3.12, added to the kernel product */
  const int32_t *recurrent_bias; /* [3 * units], Q3.12, added to the recurrent product; zeros unless reset_after */
  int reset_after;               /* Keras reset_after: 1 scales U_h h + b'_h by r, 0 scales h before U_h */
  rc_gate_kind gate;             /* activation of gates z and r */
} rc_gru;

/* Activation of a hidden dense layer. */
typedef enum {
  RC_DENSE_LINEAR = 0,  /* the identity, output Q(15-f).f */
  RC_DENSE_RELU = 1,    /* max(0, v), output Q(15-f).f */
  RC_DENSE_SIGMOID = 2  /* the sigmoid table on the Q3.12 sum, output Q0.15 */
} rc_dense_activation;

/*
 * Dense layer: the output layer gives Q.12 logits, a hidden layer int16 values
 * in Q(15-f).f (relu, linear) or Q0.15 (sigmoid).
 */
typedef struct {
  size_t units;
  rc_matrix kernel;               /* units rows, input_size columns */
  const int32_t *bias;            /* [units], in units of the requantized sum: 2^-f, or 2^-12 for logits and sigmoid */
  rc_dense_activation activation; /* hidden layers only; the output layer ignores it */
} rc_dense;

/* 1.0 in Q0.15, which the hard sigmoids reach exactly. */
#define RC_ONE_Q15 INT32_C(32768)

/* rq(M_r . x): the requantized dot product of row `row`, exact in int64. */
int64_t rc_matrix_row(const rc_matrix *matrix, size_t row, rc_vector input);
/* Exact dot products of int16 weight rows, accumulated in int64. */
int64_t rc_dot_s16_s8_s64(const int16_t *weights, const int8_t *input, size_t length);
int64_t rc_dot_s16_s16_s64(const int16_t *weights, const int16_t *input, size_t length);

/* Gate activation. In: a, Q3.12. Out: Q0.15 in [0, 32767] (sigmoid) or [0, 32768] (hard sigmoids). */
int32_t rc_gate_q15(rc_gate_kind kind, const rc_tables *tables, int16_t a);

/* One LSTM step: updates hidden (Q0.15) and cell (Q16.15) in place; gates is int16 scratch of 4 * units. */
void rc_lstm_forward(const rc_lstm *layer, const rc_tables *tables, rc_vector input, int16_t *hidden, int32_t *cell,
                     int16_t *gates);
/* One GRU step: updates hidden (Q0.15) in place; gates is int16 scratch of 3 * units. */
void rc_gru_forward(const rc_gru *layer, const rc_tables *tables, rc_vector input, int16_t *hidden, int16_t *gates);
/*
 * Hidden dense layer:
 *   relu, linear:  out_r = sat16(act(rq(V_r . x) + b_r))       Q(15-f).f
 *   sigmoid:       out_r = sigmoid(sat16(rq(V_r . x) + b_r))   Q3.12 in, Q0.15 out
 */
void rc_dense_hidden_forward(const rc_dense *layer, const rc_tables *tables, rc_vector input, int16_t *out);
/* Dense output layer: z_r = sat32(rq(V_r . x) + b_r), Q.12 logits. */
void rc_dense_logits_forward(const rc_dense *layer, rc_vector input, int32_t *logits);

#ifdef __cplusplus
}
#endif

#endif /* RC_LAYERS_H */
