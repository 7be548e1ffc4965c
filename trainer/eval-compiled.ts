/**
 * rc-eval on a compiled wasm folder: runs model.wasm through the model.js that
 * rc-compile emitted beside it, one frame per step() call, with early exit. A
 * frame after the spike is neither built nor computed, unless the reference
 * simulator still needs it. With `reference`, the integer reference simulator
 * of qmodel.json runs on the same int8 frames, and every example is compared.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../common/errors.js';
import { log } from '../common/log.js';
import { type QModel, READABLE_QMODEL_VERSIONS, outputKindOf } from '../compiler/qmodel.js';
import { ReferenceSimulator, quantizeInput, type StepResult } from '../compiler/simulator.js';
import type { FrameSequences } from './data/frames.js';
import { loadEvalData } from './eval-data.js';
import type { DataFlags } from './eval-float.js';
import { EvalProgress } from './eval-progress.js';
import { summarizeSpikes, traceExample, type SpikeRecord } from './eval-spikes.js';
import { EVAL_FORMAT, EVAL_VERSION, type CompiledEvalResult, type ExampleTrace, type ReferenceAgreement } from './eval-types.js';

/** Files of a folder written by rc-compile --target wasm that rc-eval reads. */
export const COMPILED_FILES = ['model.js', 'model.wasm', 'qmodel.json'] as const;

/** The confidence of a step result is Q0.15: 2^15 is probability 1. */
const CONFIDENCE_ONE = 32768;

export interface CompiledEvalOptions extends DataFlags {
  folder: string;
  /** Also run the integer reference simulator and compare every example. */
  reference: boolean;
  /** Example sequences to keep for the spike raster. */
  traces: number;
  progress: boolean;
}

/** The part of the API of the emitted model.js (targets/wasm/templates/model.d.ts.mustache) that rc-eval uses. */
interface WasmModule {
  modelInfo: { name: string; sourceHash: string; inputSize: number; inputScale: number; threshold: number; labels: readonly string[] };
  createModel(bytes: Uint8Array): Promise<WasmModel>;
}

interface WasmModel {
  readonly framesComputed: number;
  readonly simd: boolean;
  reset(): void;
  step(frame: Int8Array): StepResult;
}

/** Returns true when `path` is a folder that contains model.wasm. */
export function isCompiledFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, 'model.wasm'));
}

export async function evaluateCompiledModel(options: CompiledEvalOptions): Promise<CompiledEvalResult> {
  const startTime = performance.now();
  const folder = resolve(options.folder);
  for (const name of COMPILED_FILES) {
    if (!existsSync(join(folder, name))) {
      throw new UserError(`${options.folder} has no ${name}; pass the --out folder of rc-compile --target wasm`);
    }
  }
  if (options.task === undefined) {
    throw new UserError('a compiled folder does not record its task; pass --task, such as --task temporal-mnist');
  }
  const qmodel = readQModel(join(folder, 'qmodel.json'));
  const module = (await import(pathToFileURL(join(folder, 'model.js')).href)) as WasmModule;
  if (module.modelInfo.sourceHash !== qmodel.sourceHash) {
    throw new UserError(`${options.folder}: qmodel.json and model.js come from different models (source sha256 differs); compile the folder again`);
  }
  let wasm: WasmModel;
  try {
    wasm = await module.createModel(readFileSync(join(folder, 'model.wasm')));
  } catch (error) {
    // WebAssembly.CompileError: the lib settings of tsconfig.json leave out the WebAssembly types, so the name is checked.
    if (!(error instanceof Error) || error.name !== 'CompileError') throw error;
    throw new UserError(`model.wasm in ${options.folder} is not a valid WebAssembly module (${error.message}); rerun rc-compile`);
  }
  const frames = options.frames ?? qmodel.frames;
  if (frames === 0) throw new UserError(`${options.folder}/qmodel.json states no frame count; pass --frames`);
  const source = loadEvalData({ ...options, task: options.task, frames, labels: qmodel.labels, output: outputKindOf(qmodel) });
  if (source.frameSize !== qmodel.inputSize) {
    throw new UserError(`the data has ${source.frameSize} values per frame, but the model in ${options.folder} takes ${qmodel.inputSize}; pass the --task the model was trained on`);
  }
  log.info(`running ${options.folder}/model.wasm (SIMD ${wasm.simd ? 'on' : 'off'}) on ${source.count} ${options.task} ${options.split} sequences of ${source.frames} frames`);

  const reference = options.reference ? createReference(qmodel, options.folder) : undefined;
  const records: SpikeRecord[] = [];
  const traces: ExampleTrace[] = [];
  const agreement = { matches: 0, sameClass: 0, sameStep: 0 };
  let framesComputed = 0;
  let runtimeSeconds = 0;
  const progress = new EvalProgress(options.progress, 'rc-eval', source.count);
  try {
    for (let example = 0; example < source.count; example++) {
      const run = runExample(wasm, reference, source, example, qmodel.inputScale);
      framesComputed += run.framesComputed;
      runtimeSeconds += run.runtimeSeconds;
      const label = source.labels[example];
      records.push({ step: run.result.step, spiked: run.result.spiked, correct: run.result.classIndex === label });
      if (run.expected !== undefined) {
        const sameClass = run.expected.classIndex === run.result.classIndex;
        const sameStep = run.expected.step === run.result.step && run.expected.spiked === run.result.spiked;
        agreement.sameClass += Number(sameClass);
        agreement.sameStep += Number(sameStep);
        const sameFrames = reference!.framesComputed === run.framesComputed;
        agreement.matches += Number(sameClass && sameStep && run.expected.confidence === run.result.confidence && sameFrames);
      }
      if (example < options.traces) {
        traces.push(traceExample(source, example, run.outputs, { ...run.result, prediction: run.result.classIndex }));
      }
      if ((example + 1) % 100 === 0) progress.update(example + 1);
    }
  } finally {
    progress.stop();
  }

  const wallSeconds = (performance.now() - startTime) / 1000;
  const summary = summarizeSpikes(records, source.frames, qmodel.threshold, framesComputed);
  let referenceAgreement: ReferenceAgreement | undefined;
  if (reference !== undefined) {
    const count = source.count;
    referenceAgreement = { matches: agreement.matches, classAgreement: agreement.sameClass / count, stepAgreement: agreement.sameStep / count };
  }
  return {
    format: EVAL_FORMAT,
    version: EVAL_VERSION,
    kind: 'compiled',
    model: {
      folder: options.folder,
      name: qmodel.name,
      sourceHash: qmodel.sourceHash,
      threshold: qmodel.threshold,
      labels: qmodel.labels,
      inputSize: qmodel.inputSize,
      inputScale: qmodel.inputScale,
      simd: wasm.simd,
    },
    data: { task: options.task, split: options.split, examples: source.count, frames: source.frames, frameSize: source.frameSize },
    summary,
    framesNeverComputed: source.count * source.frames - framesComputed,
    ...(referenceAgreement === undefined ? {} : { reference: referenceAgreement }),
    examples: traces,
    wallSeconds,
    runtimeSeconds,
    framesPerSecond: runtimeSeconds > 0 ? framesComputed / runtimeSeconds : 0,
  };
}

interface ExampleRun {
  /** The runtime's result: at the spike, or at the last frame without one. */
  result: StepResult;
  /** The reference simulator's result, when it runs. */
  expected?: StepResult;
  /** The runtime's frame counter after the example. */
  framesComputed: number;
  /** Seconds spent inside the runtime's step() calls. */
  runtimeSeconds: number;
  /** Top class and probability of each frame the runtime computed. */
  outputs: { topClass: number[]; topProbability: number[] };
}

/**
 * Streams the frames of one example into the runtime, and into the reference
 * simulator when given, until both have spiked or the frames run out.
 */
function runExample(wasm: WasmModel, reference: ReferenceSimulator | undefined, source: FrameSequences, example: number, inputScale: number): ExampleRun {
  wasm.reset();
  reference?.reset();
  const values = new Float32Array(source.frameSize);
  const frame = new Int8Array(source.frameSize);
  const outputs = { topClass: [] as number[], topProbability: [] as number[] };
  let result: StepResult = { spiked: false, classIndex: 0, step: 0, confidence: 0 };
  let expected: StepResult | undefined;
  let runtimeMs = 0;
  for (let step = 0; step < source.frames; step++) {
    if (result.spiked && (reference === undefined || expected!.spiked)) break;
    values.fill(0);
    source.writeFrame(example, step, values, 0);
    for (let i = 0; i < values.length; i++) frame[i] = quantizeInput(values[i], inputScale);
    if (!result.spiked) {
      const start = performance.now();
      result = wasm.step(frame);
      runtimeMs += performance.now() - start;
      outputs.topClass.push(result.classIndex);
      outputs.topProbability.push(result.confidence / CONFIDENCE_ONE);
    }
    if (reference !== undefined) expected = reference.step(frame);
  }
  return { result, expected, framesComputed: wasm.framesComputed, runtimeSeconds: runtimeMs / 1000, outputs };
}

/** Reads qmodel.json; the reference simulator checks the layers when it starts. */
function readQModel(path: string): QModel {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`failed to read ${path}: ${(error as Error).message}; compile the folder again with rc-compile`);
  }
  const qmodel = json as Partial<QModel>;
  const valid =
    qmodel?.format === 'rankcode-qmodel' &&
    typeof qmodel.inputSize === 'number' &&
    typeof qmodel.frames === 'number' &&
    typeof qmodel.inputScale === 'number' &&
    typeof qmodel.threshold === 'number' &&
    Array.isArray(qmodel.labels) &&
    Array.isArray(qmodel.layers);
  if (!valid) throw new UserError(`${path} is not a quantized model written by rc-compile (format "rankcode-qmodel"); compile the folder again`);
  if (!READABLE_QMODEL_VERSIONS.includes(qmodel.version as number)) {
    throw new UserError(
      `${path} has qmodel version ${JSON.stringify(qmodel.version)}, but this rc-eval reads versions ${READABLE_QMODEL_VERSIONS.join(' and ')}; ` +
        'compile the folder again with this version of rc-compile',
    );
  }
  const last = qmodel.layers!.at(-1) as { kind?: unknown; activation?: unknown } | undefined;
  if (last?.kind !== 'dense' || (last.activation !== 'softmax' && last.activation !== 'sigmoid')) {
    throw new UserError(`${path} does not end in a dense softmax or sigmoid layer, so it was not written by rc-compile; compile the folder again`);
  }
  return qmodel as QModel;
}

function createReference(qmodel: QModel, folder: string): ReferenceSimulator {
  try {
    return new ReferenceSimulator(qmodel);
  } catch (error) {
    throw new UserError(
      `the reference simulator cannot run ${folder}/qmodel.json (format version ${qmodel.version}): ${(error as Error).message}; compile the folder again with this version of rc-compile`,
    );
  }
}
