/*
 * Conformance harness for the C target. It links one compiled model emitted with
 * the symbol prefix "golden", reads int8 frames from stdin and prints what the
 * runtime computed, for test/conformance/c.test.ts to compare with the golden
 * vectors.
 *
 * stdin:  <frame_count> <frame_len> followed by frame_count * frame_len integers.
 * stdout: state_bytes <sizeof(golden_state)>
 *         frame <n> <logit 0> ... <logit C-1>        once per computed frame
 *         stream <spiked> <class> <step> <confidence> <frames_computed>
 *         run <spiked> <class> <step> <confidence> <frames_computed>
 *         errors <step NULL state> <step NULL frame> <step short frame> <run short frame> <frames_computed>
 * Streaming calls golden_step on every frame, also after the spike, so the
 * frames_computed value shows that nothing was computed after it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "golden_model.h"

static void print_result(const char *label, const rc_result *result, uint32_t frames_computed) {
  printf("%s %ld %ld %lu %ld %lu\n", label, (long)result->spiked, (long)result->class_index, (unsigned long)result->step,
         (long)result->confidence, (unsigned long)frames_computed);
}

static int fail(const char *message) {
  fprintf(stderr, "harness: %s\n", message);
  return 1;
}

int main(void) {
  static golden_state state;
  rc_result result = { 0u, 0, 0, 0 };
  unsigned long frame_count = 0;
  unsigned long frame_len = 0;
  unsigned long k;
  int8_t *frames;

  if (scanf("%lu %lu", &frame_count, &frame_len) != 2) return fail("expected <frame_count> <frame_len> on stdin");
  if (frame_len != GOLDEN_INPUT_SIZE) return fail("frame length differs from GOLDEN_INPUT_SIZE");
  frames = (int8_t *)malloc(frame_count * frame_len + 1u);
  if (frames == NULL) return fail("out of memory");
  for (k = 0; k < frame_count * frame_len; k++) {
    int value;
    if (scanf("%d", &value) != 1 || value < -128 || value > 127) return fail("expected an int8 frame value");
    frames[k] = (int8_t)value;
  }
  printf("state_bytes %lu\n", (unsigned long)sizeof(golden_state));

  if (golden_reset(&state) != RC_OK) return fail("reset failed");
  for (k = 0; k < frame_count; k++) {
    const uint32_t before = state.frames_computed;
    if (golden_step(&state, frames + k * frame_len, frame_len, &result) != RC_OK) return fail("step failed");
    if (state.frames_computed != before) {
      const int32_t *logits = golden_logits(&state);
      unsigned long c;
      printf("frame %lu", (unsigned long)state.frames_computed);
      for (c = 0; c < GOLDEN_LOGITS; c++) printf(" %ld", (long)logits[c]);
      printf("\n");
    }
  }
  print_result("stream", &result, state.frames_computed);

  if (golden_run(&state, frames, frame_count, frame_len, &result) != RC_OK) return fail("run failed");
  print_result("run", &result, state.frames_computed);

  golden_reset(&state);
  printf("errors %d %d %d %d %lu\n", (int)golden_step(NULL, frames, frame_len, &result),
         (int)golden_step(&state, NULL, frame_len, &result), (int)golden_step(&state, frames, frame_len - 1u, &result),
         (int)golden_run(&state, frames, frame_count, frame_len - 1u, &result), (unsigned long)state.frames_computed);
  free(frames);
  return 0;
}
