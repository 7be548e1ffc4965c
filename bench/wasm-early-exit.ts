/**
 * Whole-inference cost of the wasm runtime with early exit against the same
 * weights run over every frame, in microseconds per sequence. One workload is
 * the golden file test/golden/wide.json on its golden cases. The others are
 * golden-style models of the benchmark sizes on seeded uniform int8 sequences:
 * float weights drawn as for the golden "wide" model, with standard deviations
 * scaled to the layer sizes, then quantized by the compiler. Every sequence's
 * result is checked against the reference simulator.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QModel } from '../compiler/qmodel.js';
import { quantizeModel } from '../compiler/quantize.js';
import { ReferenceSimulator } from '../compiler/simulator.js';
import type { GoldenFile } from '../test/golden/generate.js';
import { GOLDEN_FOLDER } from '../test/golden/golden-files.js';
import { GoldenRandom, randomFloatModel } from '../test/golden/random-model.js';
import { emitModel, type LoadedModel } from '../test/runtime-as/wasm-harness.js';
import { type Contender, measureInRounds, summarize, warmUp } from './wasm-timing.js';

/**
 * A spike bound that no frame reaches: the spike test sums exp(z_j - z_max) in
 * Q0.16, and the top class alone adds exp(0) = 65536. The targets reject 0.
 */
export const NO_SPIKE_BOUND = 65535;

export interface EarlyExitWorkload {
  description: string;
  qmodel: QModel;
  sequences: Int8Array[][];
}

export interface EarlyExitFigures {
  workload: string;
  build: string;
  sequences: number;
  spikes: number;
  /** Mean frames computed per sequence with early exit: the spike step, or every frame when no frame spikes. */
  meanFramesComputed: number;
  /** Mean frames per sequence. */
  meanFrames: number;
  /** Microseconds per sequence: the mean over the sequences of each sequence's median time. */
  run: number;
  stepEveryFrame: number;
  allFrames: number;
}

/** Loads the golden file wide.json (16 inputs, LSTM 37, 10 classes, theta 0.95) with its golden cases as the sequences. */
export function goldenWorkload(): EarlyExitWorkload {
  const golden = JSON.parse(readFileSync(join(GOLDEN_FOLDER, 'wide.json'), 'utf8')) as GoldenFile;
  return {
    description: `golden wide.json (${golden.qmodel.inputSize}x37), its ${golden.cases.length} golden cases`,
    qmodel: golden.qmodel,
    sequences: golden.cases.map((goldenCase) => goldenCase.frames.map((frame) => Int8Array.from(frame))),
  };
}

/**
 * Builds a model of the golden "wide" kind at another size, and
 * `sequenceCount` sequences of `frameCount` frames uniform in [-127, 127]. The
 * wide model draws normal float weights with standard deviations 0.25 (kernel),
 * 0.15 (recurrent) and 2 (dense) at 16 inputs and 37 units. Here they are
 * scaled by sqrt(16 / inputs) and sqrt(37 / units), so that the gate
 * pre-activations and the logits keep the same spread. Theta is 0.95.
 */
export function goldenStyleWorkload(inputSize: number, units: number, seed: number, sequenceCount: number, frameCount: number): EarlyExitWorkload {
  const inputFactor = Math.sqrt(16 / inputSize);
  const unitFactor = Math.sqrt(37 / units);
  const floatModel = randomFloatModel({
    name: `golden-style ${inputSize}x${units}`,
    seed,
    inputSize,
    units,
    classes: 10,
    kernelStd: 0.25 * inputFactor,
    recurrentStd: 0.15 * unitFactor,
    denseStd: 2 * unitFactor,
    biasStd: 0.5,
    forgetBias: 1,
    threshold: 0.95,
    inputMin: -1,
    inputMax: 1,
  });
  const random = new GoldenRandom(seed + 1000);
  const sequences = Array.from({ length: sequenceCount }, () =>
    Array.from({ length: frameCount }, () => Int8Array.from({ length: inputSize }, () => random.nextInt(-127, 127))),
  );
  return {
    description: `golden-style ${inputSize}x${units}, ${sequenceCount} sequences of ${frameCount} uniform frames`,
    qmodel: quantizeModel(floatModel),
    sequences,
  };
}

function flatten(frames: Int8Array[]): Int8Array {
  const flat = new Int8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
  let offset = 0;
  for (const frame of frames) {
    flat.set(frame, offset);
    offset += frame.length;
  }
  return flat;
}

/** Checks run() of both models against the reference simulator on every sequence; returns the early-exit frame counts and spikes. */
function checkAgainstReference(workload: EarlyExitWorkload, early: LoadedModel, full: LoadedModel, build: string): { framesComputed: number[]; spikes: number } {
  const reference = new ReferenceSimulator(workload.qmodel);
  const framesComputed: number[] = [];
  let spikes = 0;
  workload.sequences.forEach((frames, index) => {
    const expected = reference.run(frames);
    const actual = early.run(frames);
    const fields = (result: { spiked: boolean; step: number; classIndex: number; confidence: number }) =>
      JSON.stringify([result.spiked, result.step, result.classIndex, result.confidence]);
    if (fields(actual) !== fields(expected) || early.framesComputed !== reference.framesComputed) {
      throw new Error(`${workload.description}, ${build}, sequence ${index}: run() gave ${fields(actual)}, the reference simulator ${fields(expected)}`);
    }
    full.run(frames);
    if (full.framesComputed !== frames.length) {
      throw new Error(`${workload.description}, ${build}, sequence ${index}: the all-frames model computed ${full.framesComputed} of ${frames.length} frames`);
    }
    framesComputed.push(early.framesComputed);
    if (expected.spiked) spikes++;
  });
  return { framesComputed, spikes };
}

/**
 * Times one call per block, cycling through the sequences, and records each
 * block under its sequence in `perSequence`. A block per sequence keeps blocks
 * short, and the mean of the per-sequence medians weighs every sequence alike.
 */
function sequenceContender(name: string, roundMs: number, call: (index: number) => void, perSequence: number[][]): Contender {
  let next = 0;
  return {
    name,
    blockUnits: 1,
    maxBlockUnits: 1,
    measureRound: () => {
      const samples: number[] = [];
      const start = performance.now();
      while (performance.now() - start < roundMs || samples.length < perSequence.length) {
        const index = next;
        next = (next + 1) % perSequence.length;
        const callStart = performance.now();
        call(index);
        const microseconds = (performance.now() - callStart) * 1000;
        perSequence[index].push(microseconds);
        samples.push(microseconds);
      }
      return samples;
    },
  };
}

function meanOfMedians(perSequence: number[][]): number {
  return perSequence.reduce((sum, samples) => sum + summarize(samples).median, 0) / perSequence.length;
}

/**
 * Measures one workload with the SIMD and the scalar build. "run()" is the
 * batch call, which stops at the spike. "step() every frame" streams every
 * frame, and the calls after the spike return the held result. "all frames"
 * runs the same weights with NO_SPIKE_BOUND.
 */
export async function measureEarlyExit(workload: EarlyExitWorkload, rounds: number, roundMs: number): Promise<EarlyExitFigures[]> {
  const figures: EarlyExitFigures[] = [];
  const flatSequences = workload.sequences.map(flatten);
  const sequenceCount = workload.sequences.length;
  for (const simd of [true, false]) {
    const build = simd ? 'SIMD' : 'scalar';
    const early = (await emitModel(workload.qmodel, simd)).create();
    const full = (await emitModel({ ...workload.qmodel, spikeBound: NO_SPIKE_BOUND }, simd)).create();
    const { framesComputed, spikes } = checkAgainstReference(workload, early, full, build);

    const times = { run: [] as number[][], step: [] as number[][], full: [] as number[][] };
    const streamEveryFrame = (index: number) => {
      early.reset();
      for (const frame of workload.sequences[index]) early.step(frame);
    };
    const contenders = [
      sequenceContender('run', roundMs, (index) => early.run(flatSequences[index]), times.run),
      sequenceContender('step', roundMs, streamEveryFrame, times.step),
      sequenceContender('full', roundMs, (index) => full.run(flatSequences[index]), times.full),
    ];
    const clearTimes = () => {
      for (const list of [times.run, times.step, times.full]) list.splice(0, list.length, ...workload.sequences.map(() => []));
    };
    clearTimes();
    warmUp(contenders);
    clearTimes();
    await measureInRounds(contenders, rounds);
    figures.push({
      workload: workload.description,
      build,
      sequences: sequenceCount,
      spikes,
      meanFramesComputed: framesComputed.reduce((sum, count) => sum + count, 0) / sequenceCount,
      meanFrames: workload.sequences.reduce((sum, frames) => sum + frames.length, 0) / sequenceCount,
      run: meanOfMedians(times.run),
      stepEveryFrame: meanOfMedians(times.step),
      allFrames: meanOfMedians(times.full),
    });
  }
  return figures;
}
