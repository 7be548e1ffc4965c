/**
 * Builds many quantized models into one C program and runs sequences on it, so
 * that property tests and the fuzz benchmark pay for one compiler run per batch
 * of models instead of one per model. Each model is emitted by the C target
 * with its own prefix (m0, m1, ...) and linked with one copy of the runtime.
 *
 * The harness reads commands from stdin and prints one line for each:
 *   case <model> <frame_count> <values...>
 *     -> case <spiked> <class> <step> <confidence> <frames_computed> <logit_hash> <run_matches>
 *        streams every frame through <prefix>_step (also after the spike), hashes
 *        the logits of every computed frame with FNV-1a, then checks that
 *        <prefix>_run gives the same result (run_matches 1).
 *   labels <model>   -> labels <hex of label 0> <hex of label 1> ... ("-" for an empty label)
 *   errors <model>   -> errors <status codes of the calls listed in ERROR_CALLS>
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cTarget } from '../../compiler/targets/c.js';
import type { QModel } from '../../compiler/qmodel.js';
import { ReferenceSimulator, type StepResult } from '../../compiler/simulator.js';
import { writeFileAtomic } from '../../common/files.js';

export const C_WARNING_FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-Wconversion', '-Wsign-conversion', '-Wshadow'];
export const C_SANITIZER_FLAGS = ['-O1', '-g', '-fsanitize=undefined,address', '-fno-sanitize-recover=all'];

export function hasCommand(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * The calls of the `errors` command, in output order, with the status each must
 * return. Frames use the model's input size n unless a length is named.
 */
export const ERROR_CALLS: { call: string; expected: number }[] = [
  { call: 'reset(NULL)', expected: -1 },
  { call: 'step(NULL state)', expected: -1 },
  { call: 'step(NULL frame)', expected: -1 },
  { call: 'step(NULL out)', expected: -1 },
  { call: 'step(length 0)', expected: -2 },
  { call: 'step(length n - 1)', expected: -2 },
  { call: 'step(length n + 1)', expected: -2 },
  { call: 'step(length SIZE_MAX)', expected: -2 },
  { call: 'run(NULL state)', expected: -1 },
  { call: 'run(NULL out)', expected: -1 },
  { call: 'run(NULL frames, 1 frame)', expected: -1 },
  { call: 'run(length n + 1)', expected: -2 },
  { call: 'run(0 frames, NULL frames)', expected: 0 },
  { call: 'frames computed after the failed calls', expected: 0 },
  { call: 'logits(NULL) is NULL', expected: 1 },
  { call: 'step(valid frame)', expected: 0 },
  { call: 'step(length n + 1) after a computed frame, spiked or not', expected: -2 },
  { call: 'frames computed at the end', expected: 1 },
];

/** One result line of the `case` command, or of the reference for comparison. */
export interface CaseResult {
  spiked: number;
  classIndex: number;
  step: number;
  confidence: number;
  framesComputed: number;
  logitHash: number;
  runMatches: number;
}

/** FNV-1a over int32 values, each taken as its unsigned 32-bit pattern. */
export function hashLogits(hash: number, logits: ArrayLike<number>): number {
  let h = hash;
  for (let k = 0; k < logits.length; k++) {
    h = Math.imul((h ^ (logits[k] >>> 0)) >>> 0, 16777619) >>> 0;
  }
  return h;
}

export const FNV_OFFSET = 2166136261;

/**
 * Runs a sequence on the reference simulator the way the harness streams it:
 * every frame through step(), hashing the logits of each computed frame.
 */
export function referenceCase(simulator: ReferenceSimulator, frames: ArrayLike<number>[]): CaseResult {
  simulator.reset();
  let hash = FNV_OFFSET;
  let result: StepResult = { spiked: false, classIndex: 0, step: 0, confidence: 0 };
  for (const frame of frames) {
    const before = simulator.framesComputed;
    result = simulator.step(frame);
    if (simulator.framesComputed !== before) hash = hashLogits(hash, simulator.logits);
  }
  return {
    spiked: result.spiked ? 1 : 0,
    classIndex: result.classIndex,
    step: result.step,
    confidence: result.confidence,
    framesComputed: simulator.framesComputed,
    logitHash: hash,
    runMatches: 1,
  };
}

function modelFunctions(k: number): string {
  const p = `m${k}`;
  return `
static ${p}_state ${p}_st;

static void harness_${p}_case(const int8_t *frames, size_t count) {
  rc_result result = { 0u, 0, 0, 0 };
  rc_result batch = { 0u, 0, 0, 0 };
  uint32_t hash = FNV_OFFSET;
  size_t t;
  uint32_t computed;
  ${p}_reset(&${p}_st);
  for (t = 0; t < count; t++) {
    const uint32_t before = ${p}_st.frames_computed;
    if (${p}_step(&${p}_st, frames + t * ${p.toUpperCase()}_INPUT_SIZE, ${p.toUpperCase()}_INPUT_SIZE, &result) != RC_OK) fail("step failed");
    if (${p}_st.frames_computed != before) hash = hash_logits(hash, ${p}_logits(&${p}_st), ${p.toUpperCase()}_LOGITS);
  }
  computed = ${p}_st.frames_computed;
  if (${p}_run(&${p}_st, frames, count, ${p.toUpperCase()}_INPUT_SIZE, &batch) != RC_OK) fail("run failed");
  printf("case %ld %ld %lu %ld %lu %lu %d\\n", (long)result.spiked, (long)result.class_index, (unsigned long)result.step,
         (long)result.confidence, (unsigned long)computed, (unsigned long)hash,
         same_result(&result, &batch) && ${p}_st.frames_computed == computed ? 1 : 0);
}

static void harness_${p}_labels(void) {
  size_t c;
  printf("labels");
  for (c = 0; c < ${p.toUpperCase()}_CLASSES; c++) print_hex(${p}_labels[c]);
  printf("\\n");
}

static void harness_${p}_errors(void) {
  static int8_t frame[${p.toUpperCase()}_INPUT_SIZE + 1u];
  rc_result out = { 0u, 0, 0, 0 };
  const size_t n = ${p.toUpperCase()}_INPUT_SIZE;
  rc_status valid;
  rc_status after;
  ${p}_reset(&${p}_st);
  printf("errors %d %d %d %d %d %d %d %d %d %d %d %d %d %lu %d",
         (int)${p}_reset(NULL),
         (int)${p}_step(NULL, frame, n, &out),
         (int)${p}_step(&${p}_st, NULL, n, &out),
         (int)${p}_step(&${p}_st, frame, n, NULL),
         (int)${p}_step(&${p}_st, frame, 0u, &out),
         (int)${p}_step(&${p}_st, frame, n - 1u, &out),
         (int)${p}_step(&${p}_st, frame, n + 1u, &out),
         (int)${p}_step(&${p}_st, frame, (size_t)-1, &out),
         (int)${p}_run(NULL, frame, 1u, n, &out),
         (int)${p}_run(&${p}_st, frame, 1u, n, NULL),
         (int)${p}_run(&${p}_st, NULL, 1u, n, &out),
         (int)${p}_run(&${p}_st, frame, 1u, n + 1u, &out),
         (int)${p}_run(&${p}_st, NULL, 0u, n, &out),
         (unsigned long)${p}_st.frames_computed,
         ${p}_logits(NULL) == NULL ? 1 : 0);
  valid = ${p}_step(&${p}_st, frame, n, &out);
  after = ${p}_step(&${p}_st, frame, n + 1u, &out);
  printf(" %d %d %lu\\n", (int)valid, (int)after, (unsigned long)${p}_st.frames_computed);
}
`;
}

/** Returns the C source of the harness for `count` models m0..m{count-1}. */
export function harnessSource(count: number, maxInputSize: number): string {
  const indices = Array.from({ length: count }, (_, k) => k);
  const includes = indices.map((k) => `#include "m${k}_model.h"`).join('\n');
  const dispatch = (suffix: string, args: string) => indices.map((k) => `    case ${k}: harness_m${k}_${suffix}(${args}); break;`).join('\n');
  return `/* Batch harness generated by test/robustness/c-batch.ts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
${includes}

#define FNV_OFFSET 2166136261u
#define MAX_FRAMES 4096u

static void fail(const char *message) {
  fprintf(stderr, "harness: %s\\n", message);
  exit(1);
}

static uint32_t hash_logits(uint32_t hash, const int32_t *logits, size_t count) {
  size_t k;
  for (k = 0; k < count; k++) hash = (hash ^ (uint32_t)logits[k]) * 16777619u;
  return hash;
}

static int same_result(const rc_result *a, const rc_result *b) {
  return a->step == b->step && a->class_index == b->class_index && a->confidence == b->confidence && a->spiked == b->spiked;
}

static void print_hex(const char *text) {
  const unsigned char *p = (const unsigned char *)text;
  printf(" ");
  if (*p == 0) printf("-");
  for (; *p != 0; p++) printf("%02x", (unsigned)*p);
}
${indices.map(modelFunctions).join('')}
static int8_t frames[MAX_FRAMES * ${Math.max(1, maxInputSize)}u];

int main(void) {
  char command[16];
  unsigned long model;
  while (scanf("%15s %lu", command, &model) == 2) {
    if (strcmp(command, "case") == 0) {
      unsigned long count;
      unsigned long k;
      size_t size = 0;
      if (scanf("%lu", &count) != 1 || count > MAX_FRAMES) fail("expected a frame count of at most MAX_FRAMES");
      switch (model) {
${indices.map((k) => `    case ${k}: size = M${k}_INPUT_SIZE; break;`).join('\n')}
    default: fail("unknown model");
      }
      for (k = 0; k < count * size; k++) {
        int value;
        if (scanf("%d", &value) != 1 || value < -128 || value > 127) fail("expected an int8 frame value");
        frames[k] = (int8_t)value;
      }
      switch (model) {
${dispatch('case', 'frames, (size_t)count')}
    default: fail("unknown model");
      }
    } else if (strcmp(command, "labels") == 0) {
      switch (model) {
${dispatch('labels', '')}
    default: fail("unknown model");
      }
    } else if (strcmp(command, "errors") == 0) {
      switch (model) {
${dispatch('errors', '')}
    default: fail("unknown model");
      }
    } else {
      fail("unknown command");
    }
    fflush(stdout);
  }
  return 0;
}
`;
}

export interface CBatch {
  folder: string;
  binary: string;
  models: QModel[];
}

/** Emits the models with the C target into one folder, writes the harness and compiles it. */
export async function buildCBatch(models: QModel[], flags: string[], compiler = 'gcc'): Promise<CBatch> {
  const folder = mkdtempSync(join(tmpdir(), 'rankcode-c-batch-'));
  // Every model emits the same runtime files, so each C file is compiled once.
  const cFiles = new Set<string>(['harness.c']);
  for (const [k, qmodel] of models.entries()) {
    const files = await cTarget.emit({ qmodel, prefix: `m${k}`, compilerVersion: '0.0.0-test' });
    for (const file of files) {
      writeFileAtomic(join(folder, file.path), file.contents);
      if (file.path.endsWith('.c')) cFiles.add(file.path);
    }
  }
  const maxInputSize = Math.max(...models.map((model) => model.inputSize));
  writeFileSync(join(folder, 'harness.c'), harnessSource(models.length, maxInputSize));
  const sources = [...cFiles].map((name) => join(folder, name));
  const binary = join(folder, 'harness');
  const compile = spawnSync(compiler, [...C_WARNING_FLAGS, ...flags, `-I${folder}`, ...sources, '-o', binary], { encoding: 'utf8' });
  if (compile.status !== 0) throw new Error(`${compiler} failed to build the batch harness in ${folder}:\n${compile.stderr}`);
  return { folder, binary, models };
}

export function removeCBatch(batch: CBatch): void {
  rmSync(batch.folder, { recursive: true, force: true });
}

/** A command for the harness: one sequence of int8 frames on one model. */
export interface CaseCommand {
  model: number;
  frames: ArrayLike<number>[];
}

export function formatCase(command: CaseCommand): string {
  const values = command.frames.map((frame) => Array.from(frame).join(' ')).join(' ');
  return `case ${command.model} ${command.frames.length} ${values}\n`;
}

export function parseCaseLine(line: string): CaseResult {
  const [label, ...fields] = line.trim().split(' ');
  if (label !== 'case' || fields.length !== 7) throw new Error(`unexpected harness line: ${line}`);
  const [spiked, classIndex, step, confidence, framesComputed, logitHash, runMatches] = fields.map(Number);
  return { spiked, classIndex, step, confidence, framesComputed, logitHash, runMatches };
}

export interface HarnessRun {
  /** Lines the harness printed, one per command that completed. */
  lines: string[];
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the harness on `input` (commands, one a line) and returns its output
 * lines. Input goes through a pipe, so batches of any size work.
 */
export function runHarness(binary: string, input: string): Promise<HarnessRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.stdin.on('error', () => {
      // The harness may exit early on a crash; its status reports that.
    });
    child.on('close', (status, signal) => {
      const text = Buffer.concat(stdout).toString('utf8');
      resolvePromise({ lines: text.split('\n').filter((line) => line !== ''), status, signal, stderr: Buffer.concat(stderr).toString('utf8') });
    });
    child.stdin.end(input);
  });
}

/** Decodes the hex fields of a `labels` line back to strings (UTF-8). */
export function parseLabelsLine(line: string): string[] {
  const [label, ...fields] = line.trim().split(' ');
  if (label !== 'labels') throw new Error(`unexpected harness line: ${line}`);
  return fields.map((hex) => (hex === '-' ? '' : Buffer.from(hex, 'hex').toString('utf8')));
}
