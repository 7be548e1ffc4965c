/*
 * Benchmark firmware for QEMU's mps2-an386 (Cortex-M4), built by
 * bench/cortex-m-step.ts: the instructions of rc_cm_lstm_step and of whole
 * frames for one model of the cortex-m target, emitted with the prefix "bench"
 * and a spike bound that no frame reaches. bench_frames.h, also generated,
 * defines BENCH_FRAME_COUNT int8 frames and BENCH_STEPS. Output over
 * semihosting:
 *
 *   kernels <dsp|portable>
 *   lstm_step <steps> <instructions>        BENCH_STEPS calls of rc_cm_lstm_step
 *   frame <steps> <instructions> <frames_computed>   BENCH_STEPS calls of bench_step
 *   logits <logit 0> ... <logit C-1>        after the frame loop, for the driver to
 *                                           check against the reference simulator
 *
 * Under -icount shift=0 one SysTick tick is 40 instructions, so each reading is
 * exact to within 40 instructions plus the calls that read the counter.
 */
#include "bench_frames.h"
#include "bench_model.h"
#include "platform.h"

static const int8_t *frame_at(uint32_t step) {
  return bench_frames + (step % BENCH_FRAME_COUNT) * BENCH_INPUT_SIZE;
}

int main(void) {
  static bench_state state;
  const rc_cm_network *network = &bench_network;
  rc_result result = { 0u, 0, 0, 0 };
  platform_ticks_t start;
  uint64_t ticks;
  uint32_t k;

  platform_write("kernels ");
  platform_write(rc_cm_kernels);
  platform_write("\n");

  bench_reset(&state);
  start = platform_timer_start();
  for (k = 0; k < BENCH_STEPS; k++) {
    rc_cm_lstm_step(network->lstm, network->tables, frame_at(k), state.hidden, state.cell, state.gates);
  }
  ticks = platform_timer_stop(start);
  platform_write("lstm_step ");
  platform_write_u32(BENCH_STEPS);
  platform_write(" ");
  platform_write_u64(ticks * PLATFORM_INSTRUCTIONS_PER_TICK);
  platform_write("\n");

  bench_reset(&state);
  start = platform_timer_start();
  for (k = 0; k < BENCH_STEPS; k++) {
    if (bench_step(&state, frame_at(k), BENCH_INPUT_SIZE, &result) != RC_OK) return 1;
  }
  ticks = platform_timer_stop(start);
  platform_write("frame ");
  platform_write_u32(BENCH_STEPS);
  platform_write(" ");
  platform_write_u64(ticks * PLATFORM_INSTRUCTIONS_PER_TICK);
  platform_write(" ");
  platform_write_u32(state.frames_computed);
  platform_write("\nlogits");
  for (k = 0; k < BENCH_CLASSES; k++) {
    platform_write(" ");
    platform_write_i32(state.logits[k]);
  }
  platform_write("\n");
  return 0;
}
