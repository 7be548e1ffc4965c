/**
 * Streaming inference at one LSTM size, one frame per call, for the WebAssembly
 * comparison: TensorFlow.js on its wasm backend, this project's wasm runtime
 * (SIMD and scalar builds) and the C target built natively. The integer
 * runtimes run one seeded random quantized model with a spike bound that no
 * frame reaches, so every frame is computed, and their logits are checked
 * against the reference simulator after the timed rounds.
 */
import { join } from 'node:path';
import type { QModel } from '../compiler/qmodel.js';
import { quantizeInput, ReferenceSimulator } from '../compiler/simulator.js';
import { Random, randomFrames, randomQModel } from '../test/runtime-as/random-qmodel.js';
import { emitModel, type LoadedModel } from '../test/runtime-as/wasm-harness.js';
import { buildNative, runNative, writeFramesFile, type NativeBuild, type NativeRun } from './c-native.js';
import { NO_SPIKE_BOUND } from './wasm-early-exit.js';
import { createTfjsStream, warmUpTfjs } from './wasm-tfjs.js';
import { calibrateBlocks, type Contender, measureInRounds, streamContender, summarize, type Summary, warmUp } from './wasm-timing.js';

export const CLASSES = 10;

export interface StreamingOptions {
  /** Distinct frames that the stream cycles through. */
  frameCount: number;
  rounds: number;
  /** Minimum time of each runtime's blocks in a round. */
  roundMs: number;
  /** Aimed duration of one timed block. */
  blockMs: number;
  /** Frames that TF.js runs before the warm-up round. */
  tfjsWarmUpFrames: number;
  /** Frames per reported chunk of the TF.js warm-up. */
  warmUpChunkFrames: number;
  /** One C build per gcc flag set. */
  nativeFlagSets: string[][];
  /** Folder for the C builds and the frames file. */
  workFolder: string;
}

export interface RuntimeFigures {
  /** Microseconds per frame over the timed blocks. */
  summary: Summary;
  /** Mean garbage collection pause per frame, microseconds; 0 for the C driver, which runs in its own process. */
  gcPerFrame: number;
  blockFrames: number;
}

export interface SizeFigures {
  label: string;
  macs: number;
  tfjs: RuntimeFigures;
  /** Mean microseconds per frame of each TF.js warm-up chunk. */
  tfjsWarmUp: number[];
  simd: RuntimeFigures;
  scalar: RuntimeFigures;
  /** One per flag set, in the order of StreamingOptions.nativeFlagSets. */
  native: RuntimeFigures[];
}

function sameLogits(actual: ArrayLike<number>, expected: ArrayLike<number>): boolean {
  return Array.from(actual).join(' ') === Array.from(expected).join(' ');
}

/** Steps a wasm build through every frame from a reset state and compares its logits with the reference simulator's. */
function checkWasm(model: LoadedModel, frames: Int8Array[], expected: Int32Array, what: string): void {
  model.reset();
  for (const frame of frames) model.step(frame);
  if (model.framesComputed !== frames.length) throw new Error(`${what}: ${model.framesComputed} of ${frames.length} frames computed`);
  if (!sameLogits(model.logits, expected)) {
    throw new Error(`${what}: logits ${Array.from(model.logits).join(' ')} differ from the reference simulator's ${Array.from(expected).join(' ')}`);
  }
}

function checkNative(run: NativeRun | undefined, frameCount: number, expected: Int32Array, what: string): void {
  if (run === undefined) throw new Error(`${what}: the driver never ran`);
  if (run.framesComputed !== frameCount) throw new Error(`${what}: ${run.framesComputed} of ${frameCount} frames computed`);
  if (!sameLogits(run.logits, expected)) {
    throw new Error(`${what}: logits ${run.logits.join(' ')} differ from the reference simulator's ${Array.from(expected).join(' ')}`);
  }
}

/** Times the C driver, which runs its blocks in its own process; keeps the last run for the logit check. */
function nativeContender(name: string, build: NativeBuild, framesFile: string, options: StreamingOptions, runs: Map<string, NativeRun>): Contender {
  const contender: Contender = {
    name,
    blockUnits: options.frameCount,
    maxBlockUnits: options.frameCount,
    measureRound: () => {
      const run = runNative(build, framesFile, options.frameCount, contender.blockUnits, options.roundMs);
      runs.set(name, run);
      return run.samples;
    },
  };
  return contender;
}

/** Frames that measureSize streams in place of its random dense ones. */
export interface FrameInput {
  /** Appended to the size label, as in "784x64 temporal MNIST". */
  name: string;
  /** Float input values, quantized with the model's input scale for the integer runtimes. */
  frames: Float32Array[];
}

/**
 * Measures every runtime at `inputSize` x `units`; `seed` picks the model, the
 * frames and the TF.js weights. With `input`, the runtimes stream its frames
 * (options.frameCount of them at most) in place of random int8 frames.
 */
export async function measureSize(inputSize: number, units: number, seed: number, options: StreamingOptions, input?: FrameInput): Promise<SizeFigures> {
  const label = input === undefined ? `${inputSize}x${units}` : `${inputSize}x${units} ${input.name}`;
  const qmodel: QModel = randomQModel({ seed, inputSize, lstmUnits: [units], classes: CLASSES, threshold: 0.95 });
  qmodel.spikeBound = NO_SPIKE_BOUND;
  const frames =
    input === undefined
      ? randomFrames(new Random(seed + 1), options.frameCount, inputSize)
      : input.frames.slice(0, options.frameCount).map((frame) => Int8Array.from(frame, (value) => quantizeInput(value, qmodel.inputScale)));
  const floatFrames = frames.map((frame) => Float32Array.from(frame, (value) => value * qmodel.inputScale));

  const reference = new ReferenceSimulator(qmodel);
  reference.reset();
  for (const frame of frames) reference.step(frame);
  const expectedLogits = Int32Array.from(reference.logits);

  const simd = (await emitModel(qmodel, true)).create();
  const scalar = (await emitModel(qmodel, false)).create();
  const framesFile = join(options.workFolder, `${label}-frames.bin`);
  writeFramesFile(framesFile, frames);
  const nativeNames = options.nativeFlagSets.map((flags) => `C ${flags.join(' ')}`);
  const nativeBuilds = [];
  for (const [flagIndex, flags] of options.nativeFlagSets.entries()) {
    nativeBuilds.push(await buildNative(qmodel, join(options.workFolder, `${label}-c${flagIndex}`), flags));
  }
  const tfjs = createTfjsStream(inputSize, units, CLASSES, seed + 2);
  const tfjsWarmUp = warmUpTfjs(tfjs, floatFrames, options.tfjsWarmUpFrames, options.warmUpChunkFrames);

  const nativeRuns = new Map<string, NativeRun>();
  const contenders: Contender[] = [
    streamContender('TF.js', floatFrames.length, options.roundMs, () => tfjs.reset(), (k) => tfjs.step(floatFrames[k])),
    streamContender('SIMD', frames.length, options.roundMs, () => simd.reset(), (k) => simd.step(frames[k])),
    streamContender('scalar', frames.length, options.roundMs, () => scalar.reset(), (k) => scalar.step(frames[k])),
    ...nativeBuilds.map((build, flagIndex) => nativeContender(nativeNames[flagIndex], build, framesFile, options, nativeRuns)),
  ];
  calibrateBlocks(contenders, warmUp(contenders), options.blockMs);
  const { samples, gcPerUnit } = await measureInRounds(contenders, options.rounds);

  checkWasm(simd, frames, expectedLogits, `${label} wasm SIMD`);
  checkWasm(scalar, frames, expectedLogits, `${label} wasm scalar`);
  for (const name of nativeNames) checkNative(nativeRuns.get(name), frames.length, expectedLogits, `${label} ${name}`);
  const probabilities = tfjs.step(floatFrames[0]);
  const total = probabilities.reduce((sum, value) => sum + value, 0);
  if (probabilities.length !== CLASSES || !(Math.abs(total - 1) < 1e-3)) throw new Error(`${label} TF.js: the softmax outputs sum to ${total}`);
  tfjs.dispose();

  const figuresOf = (contender: Contender): RuntimeFigures => ({
    summary: summarize(samples.get(contender.name) ?? []),
    gcPerFrame: nativeNames.includes(contender.name) ? 0 : gcPerUnit.get(contender.name) ?? 0,
    blockFrames: contender.blockUnits,
  });
  return {
    label,
    macs: 4 * units * (inputSize + units) + units * CLASSES,
    tfjs: figuresOf(contenders[0]),
    tfjsWarmUp,
    simd: figuresOf(contenders[1]),
    scalar: figuresOf(contenders[2]),
    native: contenders.slice(3).map(figuresOf),
  };
}
