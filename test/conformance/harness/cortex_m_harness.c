/*
 * Conformance firmware for the cortex-m target on QEMU's mps2-an386 (Cortex-M4).
 * It links one model emitted with the symbol prefix "golden" (in the blocked
 * layout with rc_cortex_m.c, or as the C target's sources) and the header
 * golden_cases.h that test/conformance/cortex-m.test.ts generates from a golden
 * file, runs every case and prints over semihosting:
 *
 *   kernels <dsp|portable|rc_layers>  the kernels rc_cortex_m.c was built with, or
 *                                     rc_layers for a model emitted as the C target's sources
 *   state_bytes <sizeof(golden_state)>
 *   case <index>
 *   frame <n> <logit 0> ... <logit C-1>      once per computed frame
 *   stream <spiked> <class> <step> <confidence> <frames_computed> <step calls>
 *   after_spike <state unchanged 0|1> <instructions of the step calls after the spike>
 *               <instructions of the step calls that computed a frame>
 *   run <spiked> <class> <step> <confidence> <frames_computed>
 *   errors <step NULL state> <step NULL frame> <step short frame> <run short frame> <frames_computed>
 *   done
 *
 * Streaming calls golden_step on every frame, also after the spike. The state is
 * copied at the spike and compared at the end, and the SysTick counter measures
 * the calls after the spike, so the test can check that they compute nothing.
 */
#include <string.h>

#include "golden_cases.h"
#include "golden_model.h"
#include "platform.h"

static void write_result(const char *label, const rc_result *result, uint32_t frames_computed) {
  platform_write(label);
  platform_write(" ");
  platform_write_i32(result->spiked);
  platform_write(" ");
  platform_write_i32(result->class_index);
  platform_write(" ");
  platform_write_u32(result->step);
  platform_write(" ");
  platform_write_i32(result->confidence);
  platform_write(" ");
  platform_write_u32(frames_computed);
}

static void write_logits(const golden_state *state) {
  const int32_t *logits = golden_logits(state);
  uint32_t c;
  platform_write("frame ");
  platform_write_u32(state->frames_computed);
  for (c = 0; c < GOLDEN_LOGITS; c++) {
    platform_write(" ");
    platform_write_i32(logits[c]);
  }
  platform_write("\n");
}

/* Streams every frame of a case through golden_step and prints what was computed. */
static int stream_case(const golden_case *golden, golden_state *state) {
  static golden_state at_spike;
  rc_result result = { 0u, 0, 0, 0 };
  uint64_t ticks_after_spike = 0u;
  uint64_t ticks_computing = 0u;
  uint32_t calls = 0u;
  uint32_t k;
  int spiked = 0;

  if (golden_reset(state) != RC_OK) return 1;
  for (k = 0; k < golden->frame_count; k++) {
    const int8_t *frame = golden->frames + k * GOLDEN_INPUT_SIZE;
    const uint32_t before = state->frames_computed;
    const platform_ticks_t start = platform_timer_start();
    const rc_status status = golden_step(state, frame, GOLDEN_INPUT_SIZE, &result);
    const uint64_t ticks = platform_timer_stop(start);
    calls++;
    if (status != RC_OK) return 1;
    if (spiked) ticks_after_spike += ticks;
    if (state->frames_computed != before) {
      ticks_computing += ticks;
      write_logits(state);
    }
    if (result.spiked && !spiked) {
      spiked = 1;
      memcpy(&at_spike, state, sizeof at_spike);
    }
  }
  write_result("stream", &result, state->frames_computed);
  platform_write(" ");
  platform_write_u32(calls);
  platform_write("\nafter_spike ");
  platform_write_i32(spiked ? (memcmp(&at_spike, state, sizeof at_spike) == 0) : 1);
  platform_write(" ");
  platform_write_u64(ticks_after_spike * PLATFORM_INSTRUCTIONS_PER_TICK);
  platform_write(" ");
  platform_write_u64(ticks_computing * PLATFORM_INSTRUCTIONS_PER_TICK);
  platform_write("\n");
  return 0;
}

int main(void) {
  static golden_state state;
  rc_result result = { 0u, 0, 0, 0 };
  uint32_t index;

  platform_write("kernels ");
#ifdef RC_CORTEX_M_H
  platform_write(rc_cm_kernels);
#else
  platform_write("rc_layers");
#endif
  platform_write("\nstate_bytes ");
  platform_write_u32((uint32_t)sizeof(golden_state));
  platform_write("\n");

  for (index = 0; index < GOLDEN_CASE_COUNT; index++) {
    const golden_case *golden = &golden_cases[index];
    platform_write("case ");
    platform_write_u32(index);
    platform_write("\n");
    if (stream_case(golden, &state) != 0) {
      platform_write("harness: golden_step failed\n");
      return 1;
    }

    if (golden_run(&state, golden->frames, golden->frame_count, GOLDEN_INPUT_SIZE, &result) != RC_OK) {
      platform_write("harness: golden_run failed\n");
      return 1;
    }
    write_result("run", &result, state.frames_computed);
    platform_write("\n");

    golden_reset(&state);
    platform_write("errors ");
    platform_write_i32(golden_step(NULL, golden->frames, GOLDEN_INPUT_SIZE, &result));
    platform_write(" ");
    platform_write_i32(golden_step(&state, NULL, GOLDEN_INPUT_SIZE, &result));
    platform_write(" ");
    platform_write_i32(golden_step(&state, golden->frames, GOLDEN_INPUT_SIZE - 1u, &result));
    platform_write(" ");
    platform_write_i32(golden_run(&state, golden->frames, golden->frame_count, GOLDEN_INPUT_SIZE - 1u, &result));
    platform_write(" ");
    platform_write_u32(state.frames_computed);
    platform_write("\n");
  }
  platform_write("done\n");
  return 0;
}
