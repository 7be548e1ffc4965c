/*
 * Benchmark firmware for QEMU's mps2-an386 (Cortex-M4), built by
 * bench/cortex-m-step.ts: the instructions of whole sequences with and without
 * early exit. Two models of the cortex-m target share the same weights:
 * "early" with the model's spike bound and "full" with a bound that no frame
 * reaches, so full_run computes every frame. sequence_frames.h, also generated,
 * defines SEQUENCE_COUNT sequences of SEQUENCE_FRAMES int8 frames each. Output
 * over semihosting, one line per sequence:
 *
 *   kernels <dsp|portable>
 *   sequence <index> <spiked> <step> <class> <frames computed by early_run>
 *            <instructions of early_run> <instructions of early_step on every frame>
 *            <instructions of full_run> <frames computed by full_run>
 *
 * early_run stops at the spike. Streaming with early_step calls it on every
 * frame, and the calls after the spike return the held result at once.
 */
#include "early_model.h"
#include "full_model.h"
#include "platform.h"
#include "sequence_frames.h"

#if EARLY_INPUT_SIZE != FULL_INPUT_SIZE || EARLY_UNITS != FULL_UNITS || EARLY_CLASSES != FULL_CLASSES
#error "the early and full models must have the same shape"
#endif

static void write_field_u64(uint64_t value) {
  platform_write(" ");
  platform_write_u64(value);
}

int main(void) {
  static early_state early;
  static full_state full;
  rc_result result = { 0u, 0, 0, 0 };
  rc_result full_result = { 0u, 0, 0, 0 };
  uint32_t index;

  platform_write("kernels ");
  platform_write(rc_cm_kernels);
  platform_write("\n");

  for (index = 0; index < SEQUENCE_COUNT; index++) {
    const int8_t *frames = sequence_frames + (size_t)index * SEQUENCE_FRAMES * EARLY_INPUT_SIZE;
    platform_ticks_t start;
    uint64_t run_ticks;
    uint64_t stream_ticks;
    uint64_t full_ticks;
    uint32_t early_frames;
    uint32_t k;

    start = platform_timer_start();
    if (early_run(&early, frames, SEQUENCE_FRAMES, EARLY_INPUT_SIZE, &result) != RC_OK) return 1;
    run_ticks = platform_timer_stop(start);
    early_frames = early.frames_computed;

    early_reset(&early);
    start = platform_timer_start();
    for (k = 0; k < SEQUENCE_FRAMES; k++) {
      if (early_step(&early, frames + (size_t)k * EARLY_INPUT_SIZE, EARLY_INPUT_SIZE, &result) != RC_OK) return 1;
    }
    stream_ticks = platform_timer_stop(start);

    start = platform_timer_start();
    if (full_run(&full, frames, SEQUENCE_FRAMES, FULL_INPUT_SIZE, &full_result) != RC_OK) return 1;
    full_ticks = platform_timer_stop(start);

    platform_write("sequence");
    write_field_u64(index);
    write_field_u64((uint64_t)result.spiked);
    write_field_u64(result.step);
    write_field_u64((uint64_t)result.class_index);
    write_field_u64(early_frames);
    write_field_u64(run_ticks * PLATFORM_INSTRUCTIONS_PER_TICK);
    write_field_u64(stream_ticks * PLATFORM_INSTRUCTIONS_PER_TICK);
    write_field_u64(full_ticks * PLATFORM_INSTRUCTIONS_PER_TICK);
    write_field_u64(full.frames_computed);
    platform_write("\n");
  }
  return 0;
}
