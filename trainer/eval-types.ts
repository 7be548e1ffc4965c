/**
 * The JSON that rc-eval writes with --out or --json, and that rc-report reads.
 * docs/EVALUATION.md describes every field. Steps are 1-based everywhere: a spike
 * at the first frame is step 1, and an example without a spike counts step T.
 */

export const EVAL_FORMAT = 'rankcode-eval';
export const EVAL_VERSION = 1;

/** Figures of rank-coding inference at one threshold theta. */
export interface SpikeSummary {
  threshold: number;
  examples: number;
  /** Share of examples whose prediction at t_sp equals the label. */
  accuracyAtSpike: number;
  meanSpikeStep: number;
  medianSpikeStep: number;
  /** Share of examples where no step reached the threshold (their t_sp is T). */
  noSpikeRate: number;
  /** Frames an early-exit runtime computes: the sum of t_sp. */
  framesComputed: number;
  /** Share of frames never computed: 1 - sum(t_sp) / (examples x T). */
  framesSkippedShare: number;
  /** Entry t - 1 counts the examples that spiked at step t; examples without a spike are only in noSpikeCount. */
  spikeStepHistogram: number[];
  noSpikeCount: number;
}

/** One point of the speed-accuracy trade-off: rank-coding inference at threshold `theta`. */
export interface SweepPoint {
  theta: number;
  accuracyAtSpike: number;
  meanSpikeStep: number;
  medianSpikeStep: number;
  noSpikeRate: number;
  framesSkippedShare: number;
}

/** One example sequence, for the spike raster of rc-report. */
export interface ExampleTrace {
  /** Position of the example in the evaluated split. */
  example: number;
  label: number;
  prediction: number;
  /** t_sp at the summary threshold. */
  spikeStep: number;
  spiked: boolean;
  /** Top class probability after each computed step; a compiled model computes only up to t_sp. */
  topProbability: number[];
  /** Class with the top probability after each computed step. */
  topClass: number[];
  frameSize: number;
  /** Nonzero input values as [step, input index, value], step 1-based. */
  inputs: [number, number, number][];
}

/** The evaluated data: a task, one of its splits, and its shape. */
export interface EvalDataInfo {
  task: string;
  split: string;
  examples: number;
  frames: number;
  frameSize: number;
}

/** Kind of a model's output layer: softmax over the classes, or sigmoid units (one unit for two classes). */
export type OutputKind = 'softmax' | 'sigmoid';

export interface FloatModelInfo {
  path: string;
  /** Name of the folder that contains model.json; rc-report uses it as the legend. */
  name: string;
  task?: string;
  /** Training mode from the metadata: 'rc' or 'eos'; the spike rule applies to both. */
  mode?: string;
  beta?: number;
  /** theta stored in the model. */
  threshold: number;
  labels: string[];
  /** Such as "LSTM 784-128, Dense 10 softmax". */
  layers: string;
  output: OutputKind;
}

export interface FloatEvalResult {
  format: typeof EVAL_FORMAT;
  version: typeof EVAL_VERSION;
  kind: 'float';
  model: FloatModelInfo;
  /** The forward pass that ran: the batched TensorFlow.js LSTM of the trainer, or the float64 layers of the compiler. */
  engine: { name: 'tfjs' | 'float64'; backend?: string };
  data: EvalDataInfo;
  summary: SpikeSummary;
  /** Accuracy of the argmax at step T, the EOS prediction. */
  accuracyAtLastFrame: number;
  /** Entry k - 1 is the accuracy of the argmax read at step k, for every example. */
  accuracyByStep: number[];
  /** The steps requested with --at-step. */
  atStep: { step: number; accuracy: number }[];
  /** Rank-coding inference at each threshold of the sweep, in the order given. */
  sweep: SweepPoint[];
  examples: ExampleTrace[];
  wallSeconds: number;
}

/** Agreement of the compiled runtime with the integer reference simulator from qmodel.json. */
export interface ReferenceAgreement {
  /** Examples whose class, spike step, confidence, spike flag and computed frames all match. */
  matches: number;
  classAgreement: number;
  stepAgreement: number;
}

export interface CompiledModelInfo {
  folder: string;
  name: string;
  sourceHash: string;
  threshold: number;
  labels: string[];
  inputSize: number;
  inputScale: number;
  simd: boolean;
}

export interface CompiledEvalResult {
  format: typeof EVAL_FORMAT;
  version: typeof EVAL_VERSION;
  kind: 'compiled';
  model: CompiledModelInfo;
  data: EvalDataInfo;
  /** framesComputed is the runtime's own frame counter, summed over the examples. */
  summary: SpikeSummary;
  /** examples x T - framesComputed. */
  framesNeverComputed: number;
  reference?: ReferenceAgreement;
  examples: ExampleTrace[];
  wallSeconds: number;
  /** Seconds spent inside the runtime's step() calls; frame building and the reference simulator are outside. */
  runtimeSeconds: number;
  /** framesComputed / runtimeSeconds. */
  framesPerSecond: number;
}

export type EvalResult = FloatEvalResult | CompiledEvalResult;
