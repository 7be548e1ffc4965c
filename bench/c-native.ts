/**
 * Builds and runs the C target natively for the WebAssembly comparison. A
 * quantized model is emitted with the registry's `c` target under the prefix
 * "bench" and compiled with the host gcc together with bench/c-native.c, the
 * timing driver. The driver's output gives block timings and final logits.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emitTargets } from '../compiler/emit.js';
import type { QModel } from '../compiler/qmodel.js';
import { PACKAGE_ROOT } from '../compiler/render.js';
import { buildReport } from '../compiler/report.js';

export const NATIVE_COMPILER = 'gcc';

const RUNTIME_SOURCES = ['bench_model.c', 'rc_runtime.c', 'rc_layers.c', 'rc_lstm.c', 'rc_gru.c'];

export interface NativeBuild {
  executable: string;
  /** The whole compiler command line, for the record. */
  command: string;
}

export interface NativeRun {
  /** Microseconds per frame of each timed block. */
  samples: number[];
  /** Frames computed by the check pass, which runs every frame from a reset state. */
  framesComputed: number;
  /** Logits after the check pass. */
  logits: number[];
}

/** Returns the first line of `gcc --version`, or undefined when gcc fails to run. */
export function nativeCompilerVersion(): string | undefined {
  const result = spawnSync(NATIVE_COMPILER, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.split('\n')[0].trim() : undefined;
}

/** Emits `qmodel` with the C target into `folder` (which must not exist or be empty) and compiles the timing driver with `flags`. */
export async function buildNative(qmodel: QModel, folder: string, flags: readonly string[]): Promise<NativeBuild> {
  await emitTargets(qmodel, buildReport(qmodel), { targets: ['c'], outDir: folder, force: false, prefix: 'bench' });
  const executable = join(folder, 'c-native');
  const args = [
    '-std=c99',
    ...flags,
    '-Wall',
    '-Wextra',
    `-I${folder}`,
    join(PACKAGE_ROOT, 'bench', 'c-native.c'),
    ...RUNTIME_SOURCES.map((name) => join(folder, name)),
    '-o',
    executable,
  ];
  const result = spawnSync(NATIVE_COMPILER, args, { encoding: 'utf8' });
  if (result.error) throw new Error(`${NATIVE_COMPILER} failed to start: ${result.error.message}; install gcc to measure the C runtime`);
  if (result.status !== 0) throw new Error(`${NATIVE_COMPILER} ${args.join(' ')} failed with status ${result.status}:\n${result.stderr}`);
  return { executable, command: `${NATIVE_COMPILER} ${args.join(' ')}` };
}

/** Writes frames one after another as raw int8 bytes, the input format of the driver. */
export function writeFramesFile(path: string, frames: readonly Int8Array[]): void {
  const bytes = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
  let offset = 0;
  for (const frame of frames) {
    bytes.set(new Uint8Array(frame.buffer, frame.byteOffset, frame.length), offset);
    offset += frame.length;
  }
  writeFileSync(path, bytes);
}

/**
 * Runs the driver over the `frameCount` frames of `framesFile` in timed blocks
 * of `blockFrames` frames for at least `minimumMs`.
 */
export function runNative(build: NativeBuild, framesFile: string, frameCount: number, blockFrames: number, minimumMs: number): NativeRun {
  const args = [framesFile, String(frameCount), String(blockFrames), String(Math.round(minimumMs))];
  const result = spawnSync(build.executable, args, { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${build.executable} failed to run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${build.executable} ${args.join(' ')} exited with status ${result.status}:\n${result.stderr}`);

  const samples: number[] = [];
  let framesComputed = -1;
  let logits: number[] | undefined;
  for (const line of result.stdout.trim().split('\n')) {
    const [label, ...fields] = line.split(' ');
    if (label === 'block') samples.push(Number(fields[1]) / 1000 / Number(fields[0]));
    else if (label === 'frames_computed') framesComputed = Number(fields[0]);
    else if (label === 'logits') logits = fields.map(Number);
  }
  if (samples.length === 0 || logits === undefined) throw new Error(`${build.executable} printed no block timings or no logits:\n${result.stdout}`);
  return { samples, framesComputed, logits };
}
