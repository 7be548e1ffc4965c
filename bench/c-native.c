/*
 * Native timing driver for the C target, built on the host by bench/c-native.ts
 * together with a model emitted under the prefix "bench". The model and the
 * runtime stay integer only. This harness uses libc for the frames file, the
 * clock (clock_gettime with CLOCK_MONOTONIC) and the output.
 *
 * Usage: c-native FRAMES_FILE FRAME_COUNT BLOCK_FRAMES MIN_MS
 *   FRAMES_FILE   FRAME_COUNT frames of BENCH_INPUT_SIZE int8 values, one after another
 *   BLOCK_FRAMES  frames per timed block, 1 to FRAME_COUNT
 *   MIN_MS        time blocks until MIN_MS milliseconds have passed, at least 3 blocks
 *
 * One untimed pass over all frames warms up the caches. Then each block calls
 * bench_step on BLOCK_FRAMES consecutive frames, starting where the previous
 * block ended. When too few frames remain, the state is reset and the stream
 * starts over at frame 0, outside the timed span. Last, an untimed pass
 * resets the state and steps through all frames for the check. Output:
 *   block <frames> <nanoseconds>   one line per timed block
 *   frames_computed <n>            after the check pass
 *   logits <l0> ... <lC-1>         after the check pass, to compare with the reference simulator
 * Exits with status 1 when a step fails or a frame spikes: the model must have a
 * spike bound that no frame reaches, so that every frame is computed.
 */
#define _POSIX_C_SOURCE 199309L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_model.h"

#define MIN_BLOCKS 3
#define MAX_BLOCKS 100000

static int64_t now_ns(void) {
  struct timespec time;
  clock_gettime(CLOCK_MONOTONIC, &time);
  return (int64_t)time.tv_sec * 1000000000 + (int64_t)time.tv_nsec;
}

/* Steps through frames [first, first + count); returns 0, or -1 when a step fails or a frame spikes. */
static int step_frames(bench_state *state, const int8_t *frames, size_t first, size_t count) {
  rc_result result;
  size_t k;

  for (k = first; k < first + count; k++) {
    if (bench_step(state, frames + k * BENCH_INPUT_SIZE, BENCH_INPUT_SIZE, &result) != RC_OK) return -1;
    if (result.spiked) {
      fprintf(stderr, "c-native: frame %lu spiked; emit the model with a spike bound that no frame reaches\n", (unsigned long)(k + 1));
      return -1;
    }
  }
  return 0;
}

static int8_t *read_frames(const char *path, size_t frame_count) {
  size_t bytes = frame_count * BENCH_INPUT_SIZE;
  int8_t *frames = malloc(bytes);
  FILE *file = fopen(path, "rb");
  int complete;

  if (frames == NULL || file == NULL) {
    fprintf(stderr, "c-native: failed to open %s or to allocate its frames\n", path);
    free(frames);
    if (file != NULL) fclose(file);
    return NULL;
  }
  complete = fread(frames, 1, bytes, file) == bytes;
  fclose(file);
  if (!complete) {
    fprintf(stderr, "c-native: %s contains fewer than %lu frames of %u values\n", path, (unsigned long)frame_count, (unsigned)BENCH_INPUT_SIZE);
    free(frames);
    return NULL;
  }
  return frames;
}

int main(int argc, char **argv) {
  static bench_state state;
  const int32_t *logits;
  int8_t *frames;
  long frame_count;
  long block_frames;
  long min_ms;
  size_t cursor;
  int64_t start;
  int64_t block_start;
  int64_t elapsed;
  int blocks;
  unsigned k;

  if (argc != 5) {
    fprintf(stderr, "usage: c-native FRAMES_FILE FRAME_COUNT BLOCK_FRAMES MIN_MS\n");
    return 2;
  }
  frame_count = strtol(argv[2], NULL, 10);
  block_frames = strtol(argv[3], NULL, 10);
  min_ms = strtol(argv[4], NULL, 10);
  if (frame_count < 1 || block_frames < 1 || block_frames > frame_count || min_ms < 0) {
    fprintf(stderr, "c-native: invalid arguments FRAME_COUNT %s, BLOCK_FRAMES %s, MIN_MS %s; expected 1 <= BLOCK_FRAMES <= FRAME_COUNT and MIN_MS >= 0\n",
            argv[2], argv[3], argv[4]);
    return 2;
  }
  frames = read_frames(argv[1], (size_t)frame_count);
  if (frames == NULL) return 1;

  if (bench_reset(&state) != RC_OK || step_frames(&state, frames, 0, (size_t)frame_count) != 0) return 1;
  cursor = (size_t)frame_count;
  start = now_ns();
  for (blocks = 0; blocks < MAX_BLOCKS; blocks++) {
    if (blocks >= MIN_BLOCKS && now_ns() - start >= (int64_t)min_ms * 1000000) break;
    if (cursor + (size_t)block_frames > (size_t)frame_count) {
      if (bench_reset(&state) != RC_OK) return 1;
      cursor = 0;
    }
    block_start = now_ns();
    if (step_frames(&state, frames, cursor, (size_t)block_frames) != 0) return 1;
    elapsed = now_ns() - block_start;
    cursor += (size_t)block_frames;
    printf("block %ld %lld\n", block_frames, (long long)elapsed);
  }

  if (bench_reset(&state) != RC_OK || step_frames(&state, frames, 0, (size_t)frame_count) != 0) return 1;
  printf("frames_computed %lu\nlogits", (unsigned long)state.frames_computed);
  logits = bench_logits(&state);
  for (k = 0; k < BENCH_CLASSES; k++) printf(" %ld", (long)logits[k]);
  printf("\n");
  free(frames);
  return 0;
}
