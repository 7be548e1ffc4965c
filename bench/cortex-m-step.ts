/**
 * Measures the cortex-m target on QEMU's mps2-an386 (Cortex-M4) in
 * instructions, not cycles: QEMU runs with -icount shift=0, so the SysTick
 * counter advances once per 40 executed instructions (docs/QEMU.md).
 *
 * 1. Instructions per MAC of one LSTM step (rc_cm_lstm_step) at input x hidden
 *    = 40x64, 420x128 and 784x64, MACs per step = 4 * H * (I + H), for the
 *    portable and the DSP kernels, next to the CMSIS-NN figures this project
 *    takes as its targets. Each model has seeded uniform random int8 weights
 *    and 10 classes and runs --steps steps. The benchmark checks the
 *    firmware's logits after its whole frames against the reference simulator.
 * 2. Instructions per sequence with early exit against the same weights run
 *    over all frames, on a golden-like model (random int8 weights, 40 inputs,
 *    64 units, 10 classes, theta 0.95) and seeded random int8 sequences.
 *
 * Usage: node dist/bench/cortex-m-step.js [--steps 32] [--sizes 40x64,420x128,784x64]
 *        [--sequences 16] [--frames 50] [--cflags=-O3]
 * npm run bench:cortex-m builds the TypeScript first.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setLogLevel } from '../common/log.js';
import { emitTargets } from '../compiler/emit.js';
import { GATE_FRAC_BITS, quantizeMultiplier, spikeBoundFor } from '../compiler/fixed-point.js';
import type { QModel, Requant } from '../compiler/qmodel.js';
import { buildReport } from '../compiler/report.js';
import { ReferenceSimulator } from '../compiler/simulator.js';
import { GoldenRandom } from '../test/golden/random-model.js';
import { DSP_BUILD, formatInt8Array, type KernelBuild, PORTABLE_BUILD } from '../test/support/cortex-m-firmware.js';
import { buildFirmware, GCC, QEMU, REPOSITORY_ROOT, runFirmware, toolchainAvailable } from '../test/support/qemu.js';

/**
 * Instructions per MAC of CMSIS-NN's int8 LSTM step at the same sizes: the
 * figures this project set as the targets to beat. They were not measured
 * here, and their source does not state whether they count instructions or cycles.
 */
const CMSIS_NN_TARGETS: Record<string, number> = { '40x64': 3.29, '420x128': 2.14, '784x64': 2.05 };

const BUILDS: KernelBuild[] = [PORTABLE_BUILD, DSP_BUILD];
const QEMU_TIMEOUT_MS = 600_000;
/** Distinct random frames that the step benchmark cycles through. */
const BENCH_FRAME_COUNT = 8;
/** Logit spread of the early-exit model, chosen so that random sequences spike at varied steps. */
const SEQUENCE_LOGIT_STD = 6;

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '32' },
    sizes: { type: 'string', default: '40x64,420x128,784x64' },
    sequences: { type: 'string', default: '16' },
    frames: { type: 'string', default: '50' },
    cflags: { type: 'string', default: '' },
  },
});

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got "${text}"`);
  return value;
}

const steps = positiveInteger('steps', values.steps);
const sequenceCount = positiveInteger('sequences', values.sequences);
const sequenceFrames = positiveInteger('frames', values.frames);
const extraCflags = values.cflags.split(' ').filter((flag) => flag !== '');
const sizes = values.sizes.split(',').map((text) => {
  const match = /^(\d+)x(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`--sizes expects a comma-separated list like 40x64,784x64, got "${text}"`);
  return { inputSize: Number(match[1]), units: Number(match[2]), label: `${match[1]}x${match[2]}` };
});

const workFolder = mkdtempSync(join(tmpdir(), 'rankcode-bench-cortex-m-'));

/** Standard deviation of a uniform int8 value in [-127, 127]: sqrt((255^2 - 1) / 12). */
const UNIFORM_INT8_STD = 73.6;
/** Assumed standard deviation of a Q0.15 hidden value, for choosing the multipliers. */
const HIDDEN_STD = 16384;

/** Splits the real factor `real` as the quantizer does and returns it for every row. */
function requantFor(rows: number, real: number): Requant {
  const split = quantizeMultiplier(real);
  if ('error' in split) throw new Error(`multiplier ${real}: ${split.error}`);
  return { mult: new Array<number>(rows).fill(split.mult), shift: new Array<number>(rows).fill(split.shift) };
}

/**
 * Builds a quantized LSTM classifier with seeded uniform random int8 weights.
 * The multipliers scale each accumulator so that its standard deviation is
 * about 1.0 in the gates and `logitStd` in the logits. The forget gates get a
 * bias of 1.0, as unit_forget_bias gives in Keras.
 */
function randomInt8Model(name: string, inputSize: number, units: number, seed: number, logitStd: number): QModel {
  const random = new GoldenRandom(seed);
  const classes = 10;
  const rows = 4 * units;
  const weights = (count: number) => Array.from({ length: count }, () => random.nextInt(-127, 127));
  const oneInQ12 = 2 ** GATE_FRAC_BITS;
  const accumulatorStd = (columns: number, inputStd: number) => Math.sqrt(columns) * UNIFORM_INT8_STD * inputStd;
  const threshold = 0.95;
  return {
    format: 'rankcode-qmodel',
    version: 2,
    name,
    sourceHash: '0'.repeat(64),
    inputSize,
    frames: 0,
    inputScale: 1 / 127,
    threshold,
    spikeBound: spikeBoundFor(threshold),
    labels: Array.from({ length: classes }, (_, k) => `class ${k}`),
    layers: [
      {
        kind: 'lstm',
        name: 'lstm',
        inputSize,
        units,
        weightBits: 8,
        kernel: weights(rows * inputSize),
        kernelRequant: requantFor(rows, oneInQ12 / accumulatorStd(inputSize, UNIFORM_INT8_STD)),
        recurrentKernel: weights(rows * units),
        recurrentRequant: requantFor(rows, oneInQ12 / accumulatorStd(units, HIDDEN_STD)),
        bias: Array.from({ length: rows }, (_, r) => (r >= units && r < 2 * units ? oneInQ12 : 0)),
        recurrentActivation: 'sigmoid',
      },
      {
        kind: 'dense',
        name: 'dense',
        inputSize: units,
        units: classes,
        weightBits: 8,
        kernel: weights(classes * units),
        requant: requantFor(classes, (logitStd * oneInQ12) / accumulatorStd(units, HIDDEN_STD)),
        bias: new Array<number>(classes).fill(0),
        activation: 'softmax',
        outputFracBits: GATE_FRAC_BITS,
      },
    ],
  };
}

function randomFrames(random: GoldenRandom, count: number, inputSize: number): number[][] {
  return Array.from({ length: count }, () => Array.from({ length: inputSize }, () => random.nextInt(-128, 127)));
}

async function emitModel(qmodel: QModel, folder: string, prefix: string): Promise<void> {
  await emitTargets(qmodel, buildReport(qmodel), { targets: ['cortex-m'], outDir: folder, force: false, prefix });
}

function buildFor(build: KernelBuild, sources: string[], includeDirs: string[], outDir: string, name: string): Promise<string> {
  return buildFirmware({ sources, includeDirs, defines: build.defines, cflags: [...build.cflags, ...extraCflags], outDir, name });
}

/** Runs a firmware and returns its output lines split into fields, keyed by the first field. */
async function runLines(elf: string, build: KernelBuild): Promise<string[][]> {
  const result = await runFirmware(elf, { timeoutMs: QEMU_TIMEOUT_MS });
  if (result.exitCode !== 0) throw new Error(`${elf} exited with ${result.exitCode}:\n${result.stdout}\n${result.stderr}`);
  const lines = result.stdout.trim().split('\n').map((line) => line.split(' '));
  const kernels = lines.find((fields) => fields[0] === 'kernels')?.[1];
  if (kernels !== build.kernels) throw new Error(`${elf} reports kernels "${kernels}", expected "${build.kernels}"`);
  return lines;
}

function field(lines: string[][], label: string): string[] {
  const line = lines.find((fields) => fields[0] === label);
  if (!line) throw new Error(`firmware output has no "${label}" line`);
  return line.slice(1);
}

interface StepFigures {
  label: string;
  macs: number;
  /** Instructions per MAC of rc_cm_lstm_step, by build name. */
  lstm: Map<string, number>;
  /** Instructions per MAC of a whole frame (LSTM, dense layer, spike test). */
  frame: Map<string, number>;
}

async function measureStep(inputSize: number, units: number, label: string, index: number): Promise<StepFigures> {
  const qmodel = randomInt8Model(`bench-${label}`, inputSize, units, 100 + index, 1);
  qmodel.spikeBound = 0; // S >= 65536 for every frame, so no frame spikes and every frame is computed.
  const folder = join(workFolder, `step-${label}`);
  await emitModel(qmodel, folder, 'bench');

  const frames = randomFrames(new GoldenRandom(200 + index), BENCH_FRAME_COUNT, inputSize);
  const header = [
    '/* Frames of the step benchmark, generated by bench/cortex-m-step.ts. */',
    '#include <stdint.h>',
    `#define BENCH_FRAME_COUNT ${BENCH_FRAME_COUNT}u`,
    `#define BENCH_STEPS ${steps}u`,
    formatInt8Array('bench_frames', frames.flat()),
  ].join('\n');
  writeFileSync(join(folder, 'bench_frames.h'), header);

  const simulator = new ReferenceSimulator(qmodel);
  simulator.reset();
  for (let k = 0; k < steps; k++) simulator.step(frames[k % BENCH_FRAME_COUNT]);
  const expectedLogits = Array.from(simulator.logits).join(' ');

  const sources = ['bench_model.c', 'rc_runtime.c', 'rc_cortex_m.c'].map((name) => join(folder, name));
  const macs = 4 * units * (inputSize + units);
  const figures: StepFigures = { label, macs, lstm: new Map(), frame: new Map() };
  for (const build of BUILDS) {
    const elf = await buildFor(build, [join(REPOSITORY_ROOT, 'bench', 'cortex-m-step.c'), ...sources], [folder], folder, `step-${build.kernels}`);
    const lines = await runLines(elf, build);
    const logits = field(lines, 'logits').join(' ');
    if (logits !== expectedLogits) throw new Error(`${label} ${build.name}: logits ${logits} differ from the reference simulator's ${expectedLogits}`);
    const [lstmSteps, lstmInstructions] = field(lines, 'lstm_step').map(Number);
    const [frameSteps, frameInstructions, framesComputed] = field(lines, 'frame').map(Number);
    if (framesComputed !== steps) throw new Error(`${label} ${build.name}: ${framesComputed} of ${steps} frames computed`);
    figures.lstm.set(build.kernels, lstmInstructions / (lstmSteps * macs));
    figures.frame.set(build.kernels, frameInstructions / (frameSteps * macs));
  }
  return figures;
}

interface SequenceFigures {
  kernels: string;
  spikes: number;
  meanSpikeStep: number;
  earlyRun: number;
  earlyStream: number;
  full: number;
}

async function measureSequences(): Promise<{ description: string; figures: SequenceFigures[] }> {
  const qmodel = randomInt8Model('golden-like', 40, 64, 7, SEQUENCE_LOGIT_STD);
  const folder = join(workFolder, 'sequence');
  await emitModel(qmodel, folder, 'early');
  await emitModel({ ...qmodel, spikeBound: 0 }, join(folder, 'full'), 'full');

  const random = new GoldenRandom(300);
  const sequences = Array.from({ length: sequenceCount }, () => randomFrames(random, sequenceFrames, qmodel.inputSize));
  const header = [
    '/* Sequences of the early-exit benchmark, generated by bench/cortex-m-step.ts. */',
    '#include <stdint.h>',
    `#define SEQUENCE_COUNT ${sequenceCount}u`,
    `#define SEQUENCE_FRAMES ${sequenceFrames}u`,
    formatInt8Array('sequence_frames', sequences.flat(2)),
  ].join('\n');
  writeFileSync(join(folder, 'sequence_frames.h'), header);

  const simulator = new ReferenceSimulator(qmodel);
  const expected = sequences.map((frames) => simulator.run(frames));

  const sources = [
    join(REPOSITORY_ROOT, 'bench', 'cortex-m-sequence.c'),
    join(folder, 'early_model.c'),
    join(folder, 'full', 'full_model.c'),
    join(folder, 'rc_runtime.c'),
    join(folder, 'rc_cortex_m.c'),
  ];
  const figures: SequenceFigures[] = [];
  for (const build of BUILDS) {
    const elf = await buildFor(build, sources, [folder, join(folder, 'full')], folder, `sequence-${build.kernels}`);
    const rows = (await runLines(elf, build)).filter((fields) => fields[0] === 'sequence').map((fields) => fields.slice(1).map(Number));
    if (rows.length !== sequenceCount) throw new Error(`${build.name}: ${rows.length} of ${sequenceCount} sequences reported`);
    rows.forEach(([index, spiked, step, classIndex, earlyFrames, , , , fullFrames]) => {
      const reference = expected[index];
      const actual = { spiked: spiked === 1, step, classIndex };
      const expectedResult = { spiked: reference.spiked, step: reference.step, classIndex: reference.classIndex };
      if (JSON.stringify(actual) !== JSON.stringify(expectedResult)) {
        throw new Error(`sequence ${index}: firmware ${JSON.stringify(actual)}, reference ${JSON.stringify(expectedResult)}`);
      }
      if (earlyFrames !== step) throw new Error(`sequence ${index}: early_run computed ${earlyFrames} frames for a result at step ${step}`);
      if (fullFrames !== sequenceFrames) throw new Error(`sequence ${index}: full_run computed ${fullFrames} of ${sequenceFrames} frames`);
    });
    const mean = (column: number) => rows.reduce((sum, row) => sum + row[column], 0) / rows.length;
    figures.push({
      kernels: build.kernels,
      spikes: rows.filter((row) => row[1] === 1).length,
      meanSpikeStep: mean(2),
      earlyRun: mean(5),
      earlyStream: mean(6),
      full: mean(7),
    });
  }
  const description =
    `golden-like model ${qmodel.inputSize}x${qmodel.layers[0].kind === 'lstm' ? qmodel.layers[0].units : 0}, 10 classes, theta ${qmodel.threshold}; ` +
    `${sequenceCount} sequences of ${sequenceFrames} random int8 frames`;
  return { description, figures };
}

function toolVersion(command: string): string {
  const result = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.split('\n')[0].trim() : `${command} (version unknown)`;
}

function formatRatio(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(2);
}

async function main(): Promise<void> {
  const status = toolchainAvailable();
  if (!status.available) throw status.missing[0];
  setLogLevel('warn');

  const flags = ['-mcpu=cortex-m4 -mthumb -mfloat-abi=soft -O2', ...extraCflags].join(' ');
  const lines: string[] = [
    `QEMU mps2-an386 (Cortex-M4), -icount shift=0: instructions, not cycles, 40 per SysTick tick`,
    `${toolVersion(GCC)}; ${toolVersion(QEMU)}`,
    `flags: ${flags}; portable build adds -DRC_DISABLE_DSP; ${steps} steps per reading`,
    '',
    'LSTM step (rc_cm_lstm_step), instructions per MAC, MACs per step = 4 * H * (I + H):',
    '| I x H | MACs per step | portable | DSP | CMSIS-NN target | whole frame, portable | whole frame, DSP |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [index, size] of sizes.entries()) {
    const figures = await measureStep(size.inputSize, size.units, size.label, index);
    lines.push(
      `| ${size.label} | ${figures.macs} | ${formatRatio(figures.lstm.get('portable'))} | ${formatRatio(figures.lstm.get('dsp'))} | ` +
        `${CMSIS_NN_TARGETS[size.label]?.toFixed(2) ?? '-'} | ${formatRatio(figures.frame.get('portable'))} | ${formatRatio(figures.frame.get('dsp'))} |`,
    );
  }

  const sequences = await measureSequences();
  lines.push('', `Whole inference, instructions per sequence (${sequences.description}):`);
  lines.push('| kernels | sequences that spike | mean spike step | run() with early exit | step() on every frame | all frames computed | saved by early exit |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const figure of sequences.figures) {
    // Readings are exact to 40 instructions, so a saving below that reads as 0 rather than as a tiny negative.
    const saved = Math.max(0, 1 - figure.earlyRun / figure.full);
    lines.push(
      `| ${figure.kernels} | ${figure.spikes} of ${sequenceCount} | ${figure.meanSpikeStep.toFixed(1)} of ${sequenceFrames} | ` +
        `${Math.round(figure.earlyRun)} | ${Math.round(figure.earlyStream)} | ${Math.round(figure.full)} | ${(100 * saved).toFixed(1)} % |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main()
  .catch((error: unknown) => {
    process.exitCode = 1;
    process.stderr.write(`bench/cortex-m-step: ${error instanceof Error ? error.message : String(error)}\n`);
  })
  .finally(() => rmSync(workFolder, { recursive: true, force: true }));
