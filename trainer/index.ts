/** Programmatic API of the trainer: rank-coding training, float evaluation and export. */
export { selectBackend, BACKEND_NAMES, type BackendChoice, type BackendName } from './backend.js';
export { DenseFrameSequences, FirstSequences, firstSequences, valueRange, type FrameSequences } from './data/frames.js';
export { parseIdx, readIdxFile, type IdxArray } from './data/idx.js';
export {
  defaultMnistDir,
  encodeTemporalMnist,
  loadTemporalMnist,
  spikeStepOfIntensity,
  TemporalMnistSet,
  MNIST_CLASSES,
  MNIST_LABELS,
  MNIST_PIXELS,
  type LoadTemporalMnistOptions,
  type TemporalMnistSplits,
} from './data/temporal-mnist.js';
export { formatShape, NpyArray, parseNpy, type NpyDtype } from './data/npy.js';
export {
  DEFAULT_SPOTTING_OPTIONS,
  decideSpotting,
  generateSequenceSpotting,
  loadSequenceSpotting,
  positiveProbability,
  resolveSpottingOptions,
  SequenceSpottingSet,
  SPOTTING_MAX_FRAMES,
  type SequenceSpottingOptions,
  type SequenceSpottingSplits,
  type SpottingDecision,
} from './data/sequence-spotting.js';
export { deriveSeed, splitByShare, type SplitIndices } from './data/splits.js';
export { BINARY_LABELS, DATA_TASKS, loadTaskData, TASK_OPTION_NAMES, type DataTask, type TaskData, type TaskDataOptions } from './data/tasks.js';
export {
  DEFAULT_TWO_SEQUENCE_OPTIONS,
  generateTwoSequence,
  loadTwoSequence,
  resolveTwoSequenceOptions,
  TwoSequenceSet,
  type TwoSequenceOptions,
  type TwoSequenceSplits,
} from './data/two-sequence.js';
export {
  defaultLabelsPath,
  loadUserData,
  parseNpySequences,
  readUserSequences,
  type OutputKind,
  type UserData,
  type UserDataOptions,
} from './data/user-data.js';
export { parseCsvSequences } from './data/user-csv.js';
export { parseJsonlSequences } from './data/user-jsonl.js';
export { MAX_CLASSES, UserSequenceSet, type ParsedSequences } from './data/user-sequences.js';
export { AdamOptimizer, type AdamState } from './adam.js';
export { betaForEpoch, MAX_BETA, parseBetaSchedule, resolveBetaSchedule, type BetaStep } from './beta-schedule.js';
export { CHECKPOINT_FILE, readCheckpoint, writeCheckpoint, type BestEpoch, type Checkpoint } from './checkpoint.js';
export { evaluateFloat, type EvaluateOptions, type FloatEvaluation } from './evaluate.js';
export {
  buildLayersModel,
  exportLayersModel,
  MODEL_FILE,
  WEIGHTS_FILE,
  type ExportedModel,
  type RankcodeMetadata,
} from './export.js';
export { lstmStep, outputLogits, projectFrames, projectHidden, recurrentGate, stackStep, type LstmState } from './forward.js';
export { fileModelHandler, loadRcModel } from './model-file.js';
export {
  assignRcModelWeights,
  createRcModel,
  denseSizes,
  disposeRcModel,
  initRcModelWeights,
  layerName,
  outputUnits,
  readRcModelWeights,
  RECURRENT_ACTIVATIONS,
  trainableVariables,
  variableNames,
  type DenseLayer,
  type DenseWeights,
  type LstmLayer,
  type LstmWeights,
  type RcModel,
  type RcModelShape,
  type RcModelWeights,
  type RecurrentActivation,
} from './model.js';
export {
  DEFAULT_TRAIN_OPTIONS,
  MODES,
  OUTPUT_KINDS,
  TASKS,
  resolveTrainOptions,
  type Task,
  type TrainInput,
  type TrainOptions,
  type TrainingMode,
} from './options.js';
export { outputLoss, outputProbabilities, readOutputRow, type OutputReading } from './output.js';
export { rcBatchLoss } from './rc-loss.js';
export { findSpikes, type SpikeSearchOptions, type SpikeSearchResult } from './spike-search.js';
export { checkResumable, RESUMABLE_CHANGES } from './resume.js';
export { loadTrainingData, type InputRange, type TrainingData } from './task-data.js';
export { applyGradientStep, NonFiniteLossError, trainEpoch, type EpochTotals, type GradientStep } from './train-epoch.js';
export {
  METRICS_FILE,
  REPORT_FILE,
  train,
  trainTemporalMnist,
  TrainingDivergedError,
  type EpochMetrics,
  type TrainResult,
} from './train.js';
