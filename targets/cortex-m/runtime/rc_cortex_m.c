/*
 * rankcode Cortex-M runtime: blocked-layout LSTM and dense kernels. See
 * rc_cortex_m.h for the weight layout and rankcode's docs/FIXED_POINT.md for
 * the arithmetic, which rc_runtime.c implements in its plain form.
 *
 * The matrix kernels compute four rows at once, so that every input word loaded
 * serves four rows. Each returns exact int32 sums; requantization, saturation
 * and the activations follow the reference simulator step by step.
 */
#include "rc_cortex_m.h"

#include <string.h>

#if RC_CM_USE_DSP
#include <arm_acle.h>
#endif

#if RC_CM_USE_DSP
const char rc_cm_kernels[] = "dsp";
#else
const char rc_cm_kernels[] = "portable";
#endif

/*
 * An int8 input vector: `groups` whole groups of 4 values, then `tail` (0 to 3)
 * values of a last group, copied zero-padded to 4 into padded_tail once per step.
 */
typedef struct {
  const int8_t *values;
  size_t groups;
  size_t tail;
  int8_t padded_tail[4];
} rc_cm_s8_vector;

/* An int16 input vector, split into groups as above. */
typedef struct {
  const int16_t *values;
  size_t groups;
  size_t tail;
  int16_t padded_tail[4];
} rc_cm_s16_vector;

static void init_s8_vector(rc_cm_s8_vector *vector, const int8_t *values, size_t length) {
  vector->values = values;
  vector->groups = length / 4u;
  vector->tail = length % 4u;
  memset(vector->padded_tail, 0, sizeof vector->padded_tail);
  if (vector->tail != 0u) memcpy(vector->padded_tail, values + 4u * vector->groups, vector->tail);
}

static void init_s16_vector(rc_cm_s16_vector *vector, const int16_t *values, size_t length) {
  vector->values = values;
  vector->groups = length / 4u;
  vector->tail = length % 4u;
  memset(vector->padded_tail, 0, sizeof vector->padded_tail);
  if (vector->tail != 0u) memcpy(vector->padded_tail, values + 4u * vector->groups, vector->tail * sizeof vector->padded_tail[0]);
}

/* The four int32 sums of a 4-row block. */
typedef struct {
  int32_t row[4];
} rc_cm_acc4;

/* Words of one 4-row block, or of one left-over row times 4, for a matrix of `columns` columns. */
static size_t block_words(size_t columns) {
  return 4u * ((columns + 3u) / 4u);
}

/* floor(value / 2^shift), with the complement trick of rc_runtime.c for negative values. */
static int64_t floor_shift_s64(int64_t value, unsigned shift) {
  return value >= 0 ? value >> shift : ~((~value) >> shift);
}

/*
 * rq(acc, mult, shift) = floor((acc * mult + 2^(shift-1)) / 2^shift): round(acc * mult * 2^-shift),
 * half up, as rc_requantize. |acc * mult| < 2^31 * 2^15 = 2^46, so it is exact in int64.
 */
static int64_t requantize_generic(int32_t acc, int16_t mult, uint8_t shift) {
  return floor_shift_s64((int64_t)acc * mult + ((int64_t)1 << (shift - 1u)), shift);
}

#if RC_CM_USE_DSP
/* The DSP helpers are forced inline, also at -Os, so that the four sums of a block stay in registers. */
#define RC_CM_INLINE inline __attribute__((always_inline))

/* Requantizations with a shift of at least this value take the 32-bit route of requantize_short. */
#define RC_CM_SHORT_SHIFT_MIN 16u

/*
 * rq as above for shift >= 16, in 32-bit arithmetic. With P = acc * mult and Q = floor(P / 2^(shift-1)),
 * rq = floor((Q + 1) / 2) = floor(Q / 2) + (Q & 1). Q comes from the two halves of the SMULL product:
 * for k = shift - 1 < 32 the bits k to k + 31 of P, else the high half shifted by k - 32.
 * |acc| <= 2^31 - 1 and mult <= 2^15 - 1 give |P| < 2^46 - 2^31, so |Q| < 2^31 - 2^16 and
 * |rq| <= 2^30 - 2^15: the sum of two such values fits in int32. This relies on what GCC and Clang
 * define for Arm: >> of a negative value is arithmetic and a conversion to int32_t keeps the low 32 bits.
 */
static RC_CM_INLINE int32_t requantize_short(int32_t acc, int16_t mult, uint8_t shift) {
  const int64_t product = (int64_t)acc * mult;
  const uint32_t low = (uint32_t)product;
  const int32_t high = (int32_t)(product >> 32);
  const unsigned k = shift - 1u;
  const int32_t halves = k < 32u ? (int32_t)((low >> k) | ((uint32_t)high << (32u - k))) : high >> (k - 32u);
  return (halves >> 1) + (halves & 1);
}
#endif

static int16_t saturate_s16(int64_t value) {
  if (value < INT16_MIN) return INT16_MIN;
  if (value > INT16_MAX) return INT16_MAX;
  return (int16_t)value;
}

static int32_t saturate_s32(int64_t value) {
  if (value < INT32_MIN) return INT32_MIN;
  if (value > INT32_MAX) return INT32_MAX;
  return (int32_t)value;
}

#if RC_CM_USE_DSP

/*
 * DSP kernels. Per group of 4 columns and row: SXTB16 and SXTB16 with ROR #8
 * sign-extend the weight bytes 0, 2 and 1, 3 into int16 pairs, and two SMLAD
 * add w0 * x0 + w2 * x2 and w1 * x1 + w3 * x3 (int8 inputs) or w0 * h0 + w1 * h1
 * and w2 * h2 + w3 * h3 (int16 inputs, lanes {0, 2, 1, 3}) to the int32
 * accumulator. SMLAD wraps on overflow and only sets the Q flag, and no sum
 * overflows because the compiler bounds every row, so the sums are exact.
 */

/* SXTB16 of `word` rotated right by 8 bits: bytes 1 and 3 as an int16 pair. GCC 12's arm_acle.h
 * lacks __ror and does not fold a rotate into SXTB16, so the instruction is written out. */
static RC_CM_INLINE int16x2_t sxtb16_ror8(int32_t word) {
  int16x2_t pair;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(pair) : "r"(word));
  return pair;
}

static RC_CM_INLINE int32_t load_s32(const void *source) {
  int32_t word;
  memcpy(&word, source, sizeof word);
  return word;
}

/* Adds one group of 4 columns of a 4-row block: words[k] is row k's word, low and high the input pairs.
 * The accumulators travel by value, so that they stay in registers across the loop. */
static RC_CM_INLINE rc_cm_acc4 mac_block_group(rc_cm_acc4 acc, const int32_t *words, int16x2_t low, int16x2_t high) {
  acc.row[0] = __smlad(__sxtb16(words[0]), low, acc.row[0]);
  acc.row[0] = __smlad(sxtb16_ror8(words[0]), high, acc.row[0]);
  acc.row[1] = __smlad(__sxtb16(words[1]), low, acc.row[1]);
  acc.row[1] = __smlad(sxtb16_ror8(words[1]), high, acc.row[1]);
  acc.row[2] = __smlad(__sxtb16(words[2]), low, acc.row[2]);
  acc.row[2] = __smlad(sxtb16_ror8(words[2]), high, acc.row[2]);
  acc.row[3] = __smlad(__sxtb16(words[3]), low, acc.row[3]);
  acc.row[3] = __smlad(sxtb16_ror8(words[3]), high, acc.row[3]);
  return acc;
}

/* Adds the group of int8 values at x: SXTB16 gives the pairs (x0, x2) and (x1, x3). */
static RC_CM_INLINE rc_cm_acc4 mac_block_group_s8(rc_cm_acc4 acc, const int32_t *words, const int8_t *x) {
  const int32_t word = load_s32(x);
  return mac_block_group(acc, words, __sxtb16(word), sxtb16_ror8(word));
}

/* Adds the group of int16 values at h, whose pairs (h0, h1) and (h2, h3) are loaded as words. */
static RC_CM_INLINE rc_cm_acc4 mac_block_group_s16(rc_cm_acc4 acc, const int32_t *words, const int16_t *h) {
  return mac_block_group(acc, words, load_s32(h), load_s32(h + 2));
}

/*
 * Row k of the result: sum_j W[4b + k][j] * x[j] for a block of lanes {0, 1, 2, 3} and an int8 vector.
 * Four groups per iteration. The empty asm statements with a memory clobber keep GCC from hoisting the
 * later groups' loads above the earlier groups' arithmetic, which would run out of registers.
 */
static RC_CM_INLINE rc_cm_acc4 block_dot_s8(const int32_t *weights, const rc_cm_s8_vector *x) {
  const int8_t *values = x->values;
  size_t quads = x->groups / 4u;
  size_t singles = x->groups % 4u;
  rc_cm_acc4 acc = { { 0, 0, 0, 0 } };
  while (quads-- > 0u) {
    acc = mac_block_group_s8(acc, weights, values);
    __asm__ volatile("" ::: "memory");
    acc = mac_block_group_s8(acc, weights + 4, values + 4);
    __asm__ volatile("" ::: "memory");
    acc = mac_block_group_s8(acc, weights + 8, values + 8);
    __asm__ volatile("" ::: "memory");
    acc = mac_block_group_s8(acc, weights + 12, values + 12);
    values += 16;
    weights += 16;
  }
  while (singles-- > 0u) {
    acc = mac_block_group_s8(acc, weights, values);
    values += 4;
    weights += 4;
  }
  if (x->tail != 0u) acc = mac_block_group_s8(acc, weights, x->padded_tail);
  return acc;
}

/* Row k of the result: sum_j W[4b + k][j] * h[j] for a block of lanes {0, 2, 1, 3} and a 4-byte aligned int16 vector. */
static RC_CM_INLINE rc_cm_acc4 block_dot_s16(const int32_t *weights, const rc_cm_s16_vector *h) {
  const int16_t *values = (const int16_t *)__builtin_assume_aligned(h->values, 4);
  size_t quads = h->groups / 4u;
  size_t singles = h->groups % 4u;
  rc_cm_acc4 acc = { { 0, 0, 0, 0 } };
  while (quads-- > 0u) {
    acc = mac_block_group_s16(acc, weights, values);
    __asm__ volatile("" ::: "memory");
    acc = mac_block_group_s16(acc, weights + 4, values + 4);
    __asm__ volatile("" ::: "memory");
    acc = mac_block_group_s16(acc, weights + 8, values + 8);
    __asm__ volatile("" ::: "memory");
    acc = mac_block_group_s16(acc, weights + 12, values + 12);
    values += 16;
    weights += 16;
  }
  while (singles-- > 0u) {
    acc = mac_block_group_s16(acc, weights, values);
    values += 4;
    weights += 4;
  }
  if (h->tail != 0u) acc = mac_block_group_s16(acc, weights, h->padded_tail);
  return acc;
}

/* sum_j W[r][j] * h[j] for one left-over row of lanes {0, 2, 1, 3}. */
static int32_t row_dot_s16(const int32_t *weights, const rc_cm_s16_vector *h) {
  const int16_t *values = (const int16_t *)__builtin_assume_aligned(h->values, 4);
  int32_t acc = 0;
  size_t g;
  for (g = 0; g < h->groups; g++) {
    acc = __smlad(__sxtb16(weights[g]), load_s32(values + 4u * g), acc);
    acc = __smlad(sxtb16_ror8(weights[g]), load_s32(values + 4u * g + 2u), acc);
  }
  if (h->tail != 0u) {
    acc = __smlad(__sxtb16(weights[h->groups]), load_s32(h->padded_tail), acc);
    acc = __smlad(sxtb16_ror8(weights[h->groups]), load_s32(h->padded_tail + 2), acc);
  }
  return acc;
}

#else /* portable kernels */

/*
 * Portable kernels. They read the weight bytes through a signed char pointer,
 * which C allows for any object. Byte i of a word (bits 8i to 8i + 7) lies at
 * offset i on a little-endian core and 3 - i on a big-endian one. Compilers
 * fold the test below to a constant.
 */
static size_t byte_offset(unsigned byte) {
  const uint32_t probe = 1u;
  unsigned char first;
  memcpy(&first, &probe, 1u);
  return first == 1u ? byte : 3u - byte;
}

/*
 * Adds one group of 4 columns of a 4-row block to acc. `words` points to the block's 16 bytes of the
 * group and `values` to the group's 4 input values. o0 to o3 are the byte offsets of columns 0 to 3
 * within a word. It is a macro rather than a function so that it is expanded at -Os too.
 */
#define RC_CM_MAC_BLOCK_GROUP(acc, words, values, o0, o1, o2, o3)                                            \
  do {                                                                                                    \
    const int32_t v0 = (values)[0];                                                                       \
    const int32_t v1 = (values)[1];                                                                       \
    const int32_t v2 = (values)[2];                                                                       \
    const int32_t v3 = (values)[3];                                                                       \
    (acc).row[0] += (words)[o0] * v0 + (words)[o1] * v1 + (words)[o2] * v2 + (words)[o3] * v3;             \
    (acc).row[1] += (words)[4u + o0] * v0 + (words)[4u + o1] * v1 + (words)[4u + o2] * v2 + (words)[4u + o3] * v3; \
    (acc).row[2] += (words)[8u + o0] * v0 + (words)[8u + o1] * v1 + (words)[8u + o2] * v2 + (words)[8u + o3] * v3; \
    (acc).row[3] += (words)[12u + o0] * v0 + (words)[12u + o1] * v1 + (words)[12u + o2] * v2 +                 \
                    (words)[12u + o3] * v3;                                                               \
  } while (0)

/* Lanes {0, 1, 2, 3}: byte i contains column i. */
static rc_cm_acc4 block_dot_s8(const int32_t *weights, const rc_cm_s8_vector *x) {
  const signed char *words = (const signed char *)weights;
  const int8_t *values = x->values;
  const size_t o0 = byte_offset(0u);
  const size_t o1 = byte_offset(1u);
  const size_t o2 = byte_offset(2u);
  const size_t o3 = byte_offset(3u);
  rc_cm_acc4 acc = { { 0, 0, 0, 0 } };
  size_t g;
  for (g = 0; g < x->groups; g++) {
    RC_CM_MAC_BLOCK_GROUP(acc, words, values, o0, o1, o2, o3);
    words += 16;
    values += 4;
  }
  if (x->tail != 0u) RC_CM_MAC_BLOCK_GROUP(acc, words, x->padded_tail, o0, o1, o2, o3);
  return acc;
}

/* Lanes {0, 2, 1, 3}: byte 1 contains column 2 and byte 2 column 1. */
static rc_cm_acc4 block_dot_s16(const int32_t *weights, const rc_cm_s16_vector *h) {
  const signed char *words = (const signed char *)weights;
  const int16_t *values = h->values;
  const size_t o0 = byte_offset(0u);
  const size_t o1 = byte_offset(2u);
  const size_t o2 = byte_offset(1u);
  const size_t o3 = byte_offset(3u);
  rc_cm_acc4 acc = { { 0, 0, 0, 0 } };
  size_t g;
  for (g = 0; g < h->groups; g++) {
    RC_CM_MAC_BLOCK_GROUP(acc, words, values, o0, o1, o2, o3);
    words += 16;
    values += 4;
  }
  if (h->tail != 0u) RC_CM_MAC_BLOCK_GROUP(acc, words, h->padded_tail, o0, o1, o2, o3);
  return acc;
}

static int32_t row_dot_s16(const int32_t *weights, const rc_cm_s16_vector *h) {
  const signed char *word = (const signed char *)weights;
  const size_t o0 = byte_offset(0u);
  const size_t o1 = byte_offset(2u);
  const size_t o2 = byte_offset(1u);
  const size_t o3 = byte_offset(3u);
  const size_t groups = h->groups + (h->tail != 0u ? 1u : 0u);
  int32_t acc = 0;
  size_t g;
  for (g = 0; g < groups; g++) {
    const int16_t *values = g < h->groups ? h->values + 4u * g : h->padded_tail;
    acc += word[o0] * values[0] + word[o1] * values[1] + word[o2] * values[2] + word[o3] * values[3];
    word += 4;
  }
  return acc;
}

#endif /* RC_CM_USE_DSP */

/* a_r = sat16(rq(acc_input, kx_r) + rq(acc_hidden, kh_r) + b_r), Q3.12. */
static int16_t gate_preactivation(const rc_cm_lstm_layer *layer, size_t r, int32_t acc_input, int32_t acc_hidden) {
  const uint8_t input_shift = layer->kernel_requant.shift[r];
  const uint8_t hidden_shift = layer->recurrent_requant.shift[r];
#if RC_CM_USE_DSP
  if (input_shift >= RC_CM_SHORT_SHIFT_MIN && hidden_shift >= RC_CM_SHORT_SHIFT_MIN) {
    /* The two short terms add up within int32 (see requantize_short). QADD saturates the bias sum to
     * int32, and sat16(sat32(v)) = sat16(v), so the result is exact. GCC compiles the clamp to SSAT. */
    const int32_t sum = requantize_short(acc_input, layer->kernel_requant.mult[r], input_shift) +
                        requantize_short(acc_hidden, layer->recurrent_requant.mult[r], hidden_shift);
    return saturate_s16(__qadd(sum, layer->bias[r]));
  }
#endif
  /* Each requantized term is below 2^45 in magnitude, so the sum fits in int64. */
  return saturate_s16(requantize_generic(acc_input, layer->kernel_requant.mult[r], input_shift) +
                      requantize_generic(acc_hidden, layer->recurrent_requant.mult[r], hidden_shift) + layer->bias[r]);
}

/* z_r = sat32(rq(acc, m_r) + b_r), Q.12. */
static int32_t logit(const rc_cm_dense_layer *layer, size_t r, int32_t acc) {
  const uint8_t shift = layer->requant.shift[r];
#if RC_CM_USE_DSP
  if (shift >= RC_CM_SHORT_SHIFT_MIN) return __qadd(requantize_short(acc, layer->requant.mult[r], shift), layer->bias[r]);
#endif
  return saturate_s32(requantize_generic(acc, layer->requant.mult[r], shift) + layer->bias[r]);
}

/*
 * One LSTM step, gate order i, f, g, o.
 *   a_r = sat16(rq(W_r . x, kx_r) + rq(U_r . h, kh_r) + b_r)        Q3.12
 * for the 4 * units rows, one 4-row block at a time, then the per-unit cell and
 * hidden updates of rc_lstm_update. x is int8, h is Q0.15.
 */
void rc_cm_lstm_step(const rc_cm_lstm_layer *layer, const rc_tables *tables, const int8_t *input, int16_t *hidden,
                     int32_t *cell, int16_t *gates) {
  const size_t units = layer->units;
  const size_t input_words = block_words(layer->input_size);
  const size_t hidden_words = block_words(units);
  rc_cm_s8_vector x;
  rc_cm_s16_vector h;
  size_t block;

  init_s8_vector(&x, input, layer->input_size);
  init_s16_vector(&h, hidden, units);

  /* 1. All gate pre-activations first, because every row reads the previous hidden state. The
   *    4 * units rows make exactly `units` blocks. */
  for (block = 0; block < units; block++) {
    const rc_cm_acc4 acc_input = block_dot_s8(layer->kernel + block * input_words, &x);
    const rc_cm_acc4 acc_hidden = block_dot_s16(layer->recurrent_kernel + block * hidden_words, &h);
    size_t k;
    for (k = 0; k < 4u; k++) {
      const size_t r = 4u * block + k;
      gates[r] = gate_preactivation(layer, r, acc_input.row[k], acc_hidden.row[k]);
    }
  }

  /* 2. Per unit: activations, then the cell and hidden updates. */
  rc_lstm_update(units, tables, gates, hidden, cell);
}

/* z_r = sat32(rq(V_r . h, m_r) + b_r), Q0.15 in, Q.12 out. */
void rc_cm_dense_logits(const rc_cm_dense_layer *layer, const int16_t *input, int32_t *logits) {
  const size_t words = block_words(layer->input_size);
  const size_t blocks = layer->units / 4u;
  rc_cm_s16_vector h;
  size_t block;
  size_t r;

  init_s16_vector(&h, input, layer->input_size);

  for (block = 0; block < blocks; block++) {
    const rc_cm_acc4 acc = block_dot_s16(layer->kernel + block * words, &h);
    size_t k;
    for (k = 0; k < 4u; k++) {
      r = 4u * block + k;
      logits[r] = logit(layer, r, acc.row[k]);
    }
  }
  /* Left-over rows are stored one after another, words / 4 words each. */
  for (r = 4u * blocks; r < layer->units; r++) {
    const int32_t acc = row_dot_s16(layer->kernel + blocks * words + (r - 4u * blocks) * (words / 4u), &h);
    logits[r] = logit(layer, r, acc);
  }
}

void rc_cm_reset(const rc_cm_network *network, const rc_state_view *state) {
  rc_clear_state(network->lstm->units, network->dense->units, state);
}

rc_status rc_cm_step(const rc_cm_network *network, const rc_state_view *state, const int8_t *frame, size_t frame_len,
                     rc_result *out) {
  if (network == NULL || state == NULL || frame == NULL || out == NULL) return RC_ERR_NULL;
  if (frame_len != network->lstm->input_size) return RC_ERR_FRAME_SIZE;
  if (state->held->spiked) {
    *out = *state->held;
    return RC_OK;
  }

  rc_cm_lstm_step(network->lstm, network->tables, frame, state->hidden, state->cell, state->gates);
  rc_cm_dense_logits(network->dense, state->hidden, state->logits);
  rc_finish_frame(state, network->output, network->dense->units, network->spike_bound, network->tables, out);
  return RC_OK;
}
