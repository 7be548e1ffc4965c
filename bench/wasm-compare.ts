/**
 * Compares streaming inference, one frame per call, in microseconds per frame.
 * Each size is an LSTM of input x hidden units and a Dense head of 10 classes
 * (bench/wasm-streaming.ts):
 *   TF.js        float tfjs-layers model (stateful LSTM with sigmoid gates, Dense
 *                softmax) on the TensorFlow.js wasm backend: one predict() and
 *                one dataSync() per frame, after --tfjs-warm-up frames
 *   wasm SIMD    this project's wasm runtime, one step() per frame
 *   wasm scalar  the same runtime built without SIMD
 *   C            the C target built natively with gcc and timed by
 *                bench/c-native.c, once per --cflags set (default -O2 and -O3).
 *                The first set gives the SIMD / C ratio.
 * Every frame is computed: the integer runtimes run with a spike bound that no
 * frame reaches. Each --mnist-sizes size is measured again on temporal MNIST
 * test frames (trainer/data/temporal-mnist.ts, 10 binary frames per image, the
 * first --frames frames of the test split in order), whose inputs are mostly
 * zero, so the wasm runtime skips the zero inputs of the first layer. The runtimes take turns in --rounds rounds. In each round a
 * runtime times blocks of consecutive frames for at least --round-ms. A block
 * lasts about --block-ms, with its frame count set from a warm-up round and
 * capped at --frames, and a figure is the median over all blocks. Garbage
 * collection pauses of the JavaScript runtimes are reported apart, as a mean
 * per frame. npm run bench:wasm passes --single-threaded-gc to Node, because
 * by default a scavenge waits for V8's helper threads, and on shared cores
 * those may not get a core at once.
 *
 * Then bench/wasm-early-exit.ts measures whole inference with early exit
 * against all frames on the wasm runtime, in microseconds per sequence.
 *
 * Usage: node dist/bench/wasm-compare.js [--sizes 40x64,420x128,784x64] [--mnist-sizes 784x64] [--frames 200]
 *        [--rounds 5] [--round-ms 400] [--block-ms 2] [--tfjs-warm-up 4000]
 *        [--sequences 16] [--sequence-frames 50] [--cflags=-O2 --cflags='-O3 -march=native' ...]
 * npm run bench:wasm builds the TypeScript first and runs this with --single-threaded-gc.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setLogLevel } from '../common/log.js';
import { removeTemporaryFolders } from '../test/runtime-as/wasm-harness.js';
import { nativeCompilerVersion } from './c-native.js';
import { goldenStyleWorkload, goldenWorkload, measureEarlyExit, type EarlyExitFigures } from './wasm-early-exit.js';
import { DEFAULT_MNIST_FRAMES, DEFAULT_MNIST_VALIDATION_COUNT, MNIST_PIXELS, loadTemporalMnist } from '../trainer/data/temporal-mnist.js';
import { type FrameInput, measureSize, type RuntimeFigures, type SizeFigures } from './wasm-streaming.js';
import { startTfjsWasm } from './wasm-tfjs.js';
import { formatMicroseconds } from './wasm-timing.js';

/** Size at which the ratio targets apply. */
const TARGET_SIZE = '784x64';
const TFJS_RATIO_TARGET = 30;
const C_RATIO_TARGET = 2;
const WARM_UP_CHUNK_FRAMES = 500;
/** gcc flag sets of the C runtime, one column each. gcc 12 vectorizes the dot products at -O3 but not at -O2. */
const DEFAULT_FLAG_SETS = ['-O2', '-O3'];

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '40x64,420x128,784x64' },
    'mnist-sizes': { type: 'string', default: '784x64' },
    frames: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    'round-ms': { type: 'string', default: '400' },
    'block-ms': { type: 'string', default: '2' },
    'tfjs-warm-up': { type: 'string', default: '4000' },
    sequences: { type: 'string', default: '16' },
    'sequence-frames': { type: 'string', default: '50' },
    cflags: { type: 'string', multiple: true, default: DEFAULT_FLAG_SETS },
  },
});

function positiveNumber(name: string, text: string, integer = true): number {
  const value = Number(text);
  if (!(value > 0) || (integer && !Number.isInteger(value))) throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
  return value;
}

function parseSizes(name: string, list: string): { inputSize: number; units: number }[] {
  if (list.trim() === '') return [];
  return list.split(',').map((text) => {
    const match = /^(\d+)x(\d+)$/.exec(text.trim());
    if (!match) throw new Error(`--${name} expects a comma-separated list like 40x64,784x64, got "${text}"`);
    return { inputSize: Number(match[1]), units: Number(match[2]) };
  });
}

const sizes = parseSizes('sizes', values.sizes);
const mnistSizes = parseSizes('mnist-sizes', values['mnist-sizes']);
for (const size of mnistSizes) {
  if (size.inputSize !== MNIST_PIXELS) throw new Error(`--mnist-sizes needs ${MNIST_PIXELS} inputs per frame, got ${size.inputSize}x${size.units}`);
}
const rounds = positiveNumber('rounds', values.rounds);
const roundMs = positiveNumber('round-ms', values['round-ms']);
const sequenceCount = positiveNumber('sequences', values.sequences);
const sequenceFrames = positiveNumber('sequence-frames', values['sequence-frames']);
const nativeFlagSets = values.cflags.map((text) => text.split(' ').filter((flag) => flag !== ''));
const workFolder = mkdtempSync(join(tmpdir(), 'rankcode-bench-wasm-'));
const streamingOptions = {
  frameCount: positiveNumber('frames', values.frames),
  rounds,
  roundMs,
  blockMs: positiveNumber('block-ms', values['block-ms'], false),
  tfjsWarmUpFrames: positiveNumber('tfjs-warm-up', values['tfjs-warm-up']),
  warmUpChunkFrames: WARM_UP_CHUNK_FRAMES,
  nativeFlagSets,
  workFolder,
};

function cpuModel(): string {
  const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return match ? match[1].trim() : 'unknown CPU';
}

function formatLoad(): string {
  return loadavg().map((value) => value.toFixed(2)).join(', ');
}

/** Median plus the mean garbage collection pause per frame. */
function withGc(figures: RuntimeFigures): number {
  return figures.summary.median + figures.gcPerFrame;
}

function sizeTable(figures: SizeFigures[]): string[] {
  const nativeHeaders = nativeFlagSets.map((flags) => `C, gcc ${flags.join(' ')}`);
  const lines = [
    `| I x H | MACs per frame | TF.js wasm, float | TF.js GC | wasm SIMD | wasm scalar | ${nativeHeaders.join(' | ')} ` +
      `| TF.js / SIMD | (TF.js + GC) / (SIMD + GC) | SIMD / C ${nativeFlagSets[0].join(' ')} |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ${nativeHeaders.map(() => '---: | ').join('')}---: | ---: | ---: |`,
  ];
  for (const figure of figures) {
    const cells = [figure.tfjs.summary.median, figure.tfjs.gcPerFrame, figure.simd.summary.median, figure.scalar.summary.median];
    cells.push(...figure.native.map((native) => native.summary.median));
    const ratios = [
      figure.tfjs.summary.median / figure.simd.summary.median,
      withGc(figure.tfjs) / withGc(figure.simd),
      figure.simd.summary.median / figure.native[0].summary.median,
    ];
    lines.push(`| ${figure.label} | ${figure.macs} | ${cells.map(formatMicroseconds).join(' | ')} | ${ratios.map((ratio) => ratio.toFixed(2)).join(' | ')} |`);
  }
  return lines;
}

function formatRuntime(name: string, figures: RuntimeFigures): string {
  const { median, lower, upper, count } = figures.summary;
  return `${name} ${formatMicroseconds(median)} (${formatMicroseconds(lower)}-${formatMicroseconds(upper)}, ${count} blocks of ${figures.blockFrames}, GC ${figures.gcPerFrame.toFixed(2)})`;
}

function detailLines(figures: SizeFigures[]): string[] {
  const lines = ['Median (first-third quartile, timed blocks of N frames, mean GC pause per frame), microseconds per frame:'];
  for (const figure of figures) {
    const runtimes = [formatRuntime('TF.js', figure.tfjs), formatRuntime('SIMD', figure.simd), formatRuntime('scalar', figure.scalar)];
    runtimes.push(...figure.native.map((native, flagIndex) => formatRuntime(`C ${nativeFlagSets[flagIndex].join(' ')}`, native)));
    lines.push(`  ${figure.label}: ${runtimes.join('; ')}`);
  }
  lines.push(`TF.js warm-up, mean microseconds per frame of each chunk of ${WARM_UP_CHUNK_FRAMES} frames:`);
  for (const figure of figures) lines.push(`  ${figure.label}: ${figure.tfjsWarmUp.map(formatMicroseconds).join(' ')}`);
  return lines;
}

/**
 * Returns the first `count` frames of the temporal MNIST test split, image by
 * image, and the share of nonzero inputs over those frames.
 */
function temporalMnistFrames(count: number): { input: FrameInput; nonzeroShares: number[] } {
  const images = Math.ceil(count / DEFAULT_MNIST_FRAMES);
  const { test } = loadTemporalMnist({ frames: DEFAULT_MNIST_FRAMES, validationCount: DEFAULT_MNIST_VALIDATION_COUNT, testLimit: images });
  const frames: Float32Array[] = [];
  const nonzeroShares: number[] = [];
  for (let image = 0; image < test.count && frames.length < count; image++) {
    for (let step = 0; step < test.frames && frames.length < count; step++) {
      const frame = new Float32Array(MNIST_PIXELS);
      test.writeFrame(image, step, frame, 0);
      frames.push(frame);
      nonzeroShares.push(frame.reduce((sum, value) => sum + (value !== 0 ? 1 : 0), 0) / MNIST_PIXELS);
    }
  }
  return { input: { name: 'temporal MNIST', frames }, nonzeroShares };
}

function targetLines(figures: SizeFigures[], label = TARGET_SIZE): string[] {
  const figure = figures.find((candidate) => candidate.label === label);
  if (!figure) return [`No ${label} row, so the targets were not checked.`];
  const verdict = (met: boolean) => (met ? 'met' : 'not met');
  const tfjsRatio = figure.tfjs.summary.median / figure.simd.summary.median;
  const tfjsGcRatio = withGc(figure.tfjs) / withGc(figure.simd);
  const nativeRatio = figure.simd.summary.median / figure.native[0].summary.median;
  return [
    `At ${label}, target TF.js / wasm SIMD >= ${TFJS_RATIO_TARGET}x: ${tfjsRatio.toFixed(1)}x (${verdict(tfjsRatio >= TFJS_RATIO_TARGET)}), ` +
      `${tfjsGcRatio.toFixed(1)}x with GC pauses (${verdict(tfjsGcRatio >= TFJS_RATIO_TARGET)})`,
    `At ${label}, target wasm SIMD / C ${nativeFlagSets[0].join(' ')} <= ${C_RATIO_TARGET}x: ${nativeRatio.toFixed(2)}x (${verdict(nativeRatio <= C_RATIO_TARGET)})`,
  ];
}

function earlyExitTable(figures: EarlyExitFigures[]): string[] {
  const lines = [
    '| workload | build | sequences that spike | mean frames computed | run() with early exit | step() on every frame | all frames computed | saved by early exit |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const figure of figures) {
    const saved = 1 - figure.run / figure.allFrames;
    lines.push(
      `| ${figure.workload} | ${figure.build} | ${figure.spikes} of ${figure.sequences} | ` +
        `${figure.meanFramesComputed.toFixed(1)} of ${figure.meanFrames.toFixed(0)} | ${formatMicroseconds(figure.run)} | ` +
        `${formatMicroseconds(figure.stepEveryFrame)} | ${formatMicroseconds(figure.allFrames)} | ${(100 * saved).toFixed(1)} % |`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  setLogLevel('warn');
  const compiler = nativeCompilerVersion();
  if (compiler === undefined) throw new Error('gcc failed to run; install gcc (Debian package gcc) to measure the C runtime');
  const tfjsDescription = await startTfjsWasm();
  const header = [
    `date ${new Date().toISOString()}; ${cpuModel()}, ${availableParallelism()} cores; load average at start ${formatLoad()}`,
    `Node ${process.version} ${process.execArgv.join(' ')}; ${tfjsDescription}; ${compiler}, -std=c99 with ${nativeFlagSets.map((flags) => flags.join(' ')).join(' and with ')}`,
    `${rounds} rounds of at least ${roundMs} ms per runtime after one warm-up round; blocks of about ${streamingOptions.blockMs} ms, ` +
      `at most ${streamingOptions.frameCount} frames; TF.js warms up over ${streamingOptions.tfjsWarmUpFrames} frames first`,
  ];
  process.stdout.write(`${header.join('\n')}\n\n`);

  const figures: SizeFigures[] = [];
  for (const [index, size] of sizes.entries()) {
    figures.push(await measureSize(size.inputSize, size.units, 100 + 10 * index, streamingOptions));
    process.stdout.write(`measured ${size.inputSize}x${size.units}\n`);
  }
  const lines = ['', 'Streaming, microseconds per frame (median over timed blocks), every frame computed:', ...sizeTable(figures), ''];
  lines.push(...detailLines(figures), '', ...targetLines(figures), '');

  if (mnistSizes.length > 0) {
    const { input, nonzeroShares } = temporalMnistFrames(streamingOptions.frameCount);
    const mnistFigures: SizeFigures[] = [];
    for (const [index, size] of mnistSizes.entries()) {
      mnistFigures.push(await measureSize(size.inputSize, size.units, 500 + 10 * index, streamingOptions, input));
      process.stdout.write(`measured ${size.inputSize}x${size.units} on temporal MNIST\n`);
    }
    const percent = (share: number) => `${(100 * share).toFixed(1)} %`;
    const meanShare = nonzeroShares.reduce((sum, share) => sum + share, 0) / nonzeroShares.length;
    lines.push(
      `Streaming on the first ${input.frames.length} temporal MNIST test frames, microseconds per frame, every frame computed ` +
        `(nonzero inputs per frame: mean ${percent(meanShare)}, min ${percent(Math.min(...nonzeroShares))}, max ${percent(Math.max(...nonzeroShares))}):`,
      ...sizeTable(mnistFigures),
      '',
      ...detailLines(mnistFigures),
      '',
      ...targetLines(mnistFigures, `${TARGET_SIZE} ${input.name}`),
      '',
    );
  }

  const workloads = [goldenWorkload(), goldenStyleWorkload(40, 64, 7, sequenceCount, sequenceFrames), goldenStyleWorkload(784, 64, 8, sequenceCount, sequenceFrames)];
  const earlyFigures: EarlyExitFigures[] = [];
  for (const workload of workloads) earlyFigures.push(...(await measureEarlyExit(workload, rounds, roundMs)));
  lines.push('Whole inference on the wasm runtime, microseconds per sequence:', ...earlyExitTable(earlyFigures), '');
  lines.push(`load average at end ${formatLoad()}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main()
  .catch((error: unknown) => {
    process.exitCode = 1;
    process.stderr.write(`bench/wasm-compare: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  })
  .finally(() => {
    removeTemporaryFolders();
    rmSync(workFolder, { recursive: true, force: true });
  });
