/**
 * Reads and validates the layer topology of a TensorFlow.js layers model.json.
 * keras-layout.ts turns each saved layout (tfjs-layers, Keras 2 and Keras 3
 * through tensorflowjs_converter) into a chain of layers. This file checks that
 * the chain is a network the compiler supports:
 *
 *   one or more recurrent layers (LSTM or GRU, tanh activation, sigmoid or
 *   hard_sigmoid recurrent activation), then zero or more hidden Dense layers
 *   (relu, linear or sigmoid), then one Dense softmax or sigmoid output layer.
 *
 * InputLayer, Dropout and the other noise layers (identity at inference) and
 * TimeDistributed(Dense) are accepted. Everything else is rejected with a
 * UserError that names the layer, the reason and what to do.
 */
import { UserError } from '../common/errors.js';
import { log } from '../common/log.js';
import type { DenseActivation, GateActivation } from './float-layers.js';
import { type Config, type RawLayer, configValue, dtypeName, isObject, readLayerChain } from './keras-layout.js';

export interface RecurrentSpec {
  kind: 'lstm' | 'gru';
  name: string;
  units: number;
  useBias: boolean;
  recurrentActivation: GateActivation;
  /** GRU only: Keras reset_after. Always false for an LSTM. */
  resetAfter: boolean;
}

export interface DenseSpec {
  kind: 'dense';
  /** The name that prefixes its weights: the TimeDistributed wrapper's name when wrapped. */
  name: string;
  units: number;
  useBias: boolean;
  activation: DenseActivation;
}

export type LayerSpec = RecurrentSpec | DenseSpec;

export interface TopologySpec {
  modelName: string;
  /** The keras_version string of model.json, or null when absent. */
  kerasVersion: string | null;
  /** Values per frame, the last dimension of the input shape. */
  inputSize: number;
  /** Frames per sequence from the input shape, or null when the shape leaves it open. */
  frames: number | null;
  /** Recurrent layers, then hidden Dense layers, then the Dense softmax or sigmoid output layer. */
  layers: LayerSpec[];
}

const SUPPORTED =
  'rc-compile supports one or more LSTM or GRU layers, then optional Dense relu, linear or sigmoid layers, then one Dense softmax or sigmoid layer ' +
  '(InputLayer, Dropout and TimeDistributed(Dense) are also accepted)';

/** Layers that are the identity at inference. */
const IDENTITY_LAYERS = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

/** The reason a streaming runtime cannot run each rejected layer class, with what to do instead. */
const REJECTED_LAYERS: Record<string, string> = {
  Bidirectional:
    'reads every sequence backwards as well as forwards, but a streaming runtime gets one frame at a time and must decide before the sequence ends. ' +
    'Train with a unidirectional LSTM or GRU',
  Masking:
    'skips the frames equal to its mask_value, but the runtimes compute every frame they are given. ' +
    'Remove the Masking layer and pad sequences at their end, or drop padded frames before streaming',
  SimpleRNN: 'is not compiled; rc-compile supports LSTM and GRU layers. Train with an LSTM or GRU layer',
};

function positiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function activationName(config: Config, snakeKey: string): string | undefined {
  const value = configValue(config, snakeKey);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function readUseBias(layer: RawLayer): boolean {
  const value = configValue(layer.config, 'use_bias');
  return value === undefined ? true : value === true;
}

function readUnits(layer: RawLayer): number {
  const units = configValue(layer.config, 'units');
  if (!positiveInteger(units)) {
    throw new UserError(`layer "${layer.name}" (${layer.className}) has units ${JSON.stringify(units)}; expected a positive integer.`);
  }
  return units;
}

function checkDtype(layer: RawLayer): void {
  const dtype = dtypeName(layer.config);
  if (dtype !== undefined && dtype !== 'float32') {
    throw new UserError(
      `layer "${layer.name}" (${layer.className}) computes in dtype "${dtype}"; rc-compile reads float32 models only. ` +
        'Export the model with the float32 dtype policy.',
    );
  }
}

function readInputShape(chain: RawLayer[], buildInputShape: unknown): { inputSize: number; frames: number | null } {
  const first = chain[0];
  const shape =
    configValue(first.config, 'batch_input_shape') ??
    configValue(first.config, 'batch_shape') ??
    buildInputShape ??
    (isObject(first.config.build_config) ? first.config.build_config.input_shape : undefined);
  if (!Array.isArray(shape)) {
    throw new UserError(
      `the first layer "${first.name}" (${first.className}) has no batch_input_shape or batch_shape; ` +
        'expected [null, frames, values per frame], as set by batchInputShape in TensorFlow.js or an Input layer in Keras.',
    );
  }
  if (shape.length !== 3 || !positiveInteger(shape[2]) || !(shape[1] === null || positiveInteger(shape[1]))) {
    throw new UserError(
      `the input shape ${JSON.stringify(shape)} of layer "${first.name}" is not supported; ` +
        'expected [null, frames, values per frame] with frames null or a positive integer.',
    );
  }
  return { inputSize: shape[2], frames: shape[1] === null ? null : (shape[1] as number) };
}

/**
 * Picks the hard_sigmoid that the source of model.json defines: Keras 3 changed
 * it from clip(0.2 x + 0.5, 0, 1) (Keras 2, tfjs-layers) to relu6(x + 3) / 6.
 */
function hardSigmoidOf(kerasVersion: string | null, layerName: string): GateActivation {
  if (kerasVersion !== null && /^3\./.test(kerasVersion)) return 'hard_sigmoid_keras3';
  if (kerasVersion === null) {
    log.warn(
      `model.json states no keras_version, so the hard_sigmoid of layer "${layerName}" is taken as clip(0.2 x + 0.5, 0, 1), ` +
        'the definition of tfjs-layers and Keras 2; Keras 3 defines relu6(x + 3) / 6.',
    );
  }
  return 'hard_sigmoid_keras2';
}

function readGateActivation(layer: RawLayer, kerasVersion: string | null): GateActivation {
  const recurrent = activationName(layer.config, 'recurrent_activation');
  if (recurrent === 'sigmoid') return 'sigmoid';
  if (recurrent === 'hard_sigmoid' || recurrent === 'hardSigmoid') return hardSigmoidOf(kerasVersion, layer.name);
  const stated = recurrent === undefined ? 'does not state its recurrent activation' : `uses recurrent activation "${recurrent}"`;
  throw new UserError(
    `${layer.className} layer "${layer.name}" ${stated}; rc-compile supports "sigmoid" and "hard_sigmoid". ` +
      "Set recurrentActivation explicitly when training (TensorFlow.js defaults to hard_sigmoid, Keras to sigmoid).",
  );
}

function validateRecurrent(layer: RawLayer, kerasVersion: string | null, isLastRecurrent: boolean): RecurrentSpec {
  const kind = layer.className === 'LSTM' ? 'lstm' : 'gru';
  const recurrentActivation = readGateActivation(layer, kerasVersion);
  const activation = activationName(layer.config, 'activation') ?? 'tanh';
  if (activation !== 'tanh') {
    throw new UserError(`${layer.className} layer "${layer.name}" uses activation "${activation}"; rc-compile supports "tanh" only. Retrain with activation tanh.`);
  }
  if (configValue(layer.config, 'go_backwards') === true) {
    throw new UserError(
      `${layer.className} layer "${layer.name}" has go_backwards set; a streaming runtime reads frames forwards only. Retrain with go_backwards false.`,
    );
  }
  if (configValue(layer.config, 'return_state') === true) {
    throw new UserError(`${layer.className} layer "${layer.name}" has return_state set, which gives the layer several outputs. ${SUPPORTED}.`);
  }
  if (configValue(layer.config, 'stateful') === true) {
    log.warn(`${layer.className} layer "${layer.name}" is stateful; the compiled runtimes keep its state across frames until reset(), as one stream.`);
  }
  if (configValue(layer.config, 'return_sequences') === false) {
    if (!isLastRecurrent) {
      throw new UserError(
        `${layer.className} layer "${layer.name}" has return_sequences false but feeds another recurrent layer, which needs a sequence. ` +
          'Set return_sequences true on every recurrent layer.',
      );
    }
    log.warn(
      `${layer.className} layer "${layer.name}" has return_sequences false, so the trained model classifies only at the last frame; ` +
        'the compiled runtimes apply the Dense layers after every frame.',
    );
  }
  let resetAfter = false;
  if (kind === 'gru') {
    const value = configValue(layer.config, 'reset_after');
    if (typeof value !== 'boolean') {
      throw new UserError(
        `GRU layer "${layer.name}" has reset_after ${JSON.stringify(value)}; expected true or false. ` +
          'Keras defaults to true and TensorFlow.js to false, so model.json must state it.',
      );
    }
    resetAfter = value;
  }
  return { kind, name: layer.name, units: readUnits(layer), useBias: readUseBias(layer), recurrentActivation, resetAfter };
}

function validateDense(layer: RawLayer, isOutput: boolean): DenseSpec {
  let dense = layer;
  if (layer.className === 'TimeDistributed') {
    const inner = layer.config.layer;
    const innerClass = isObject(inner) ? String(inner.class_name ?? inner.className) : 'nothing';
    if (!isObject(inner) || innerClass !== 'Dense' || !isObject(inner.config)) {
      throw new UserError(`layer "${layer.name}" wraps ${innerClass} in TimeDistributed; only TimeDistributed(Dense) is supported.`);
    }
    dense = { className: 'Dense', name: layer.name, config: inner.config };
    checkDtype(dense);
  }
  const activation = activationName(dense.config, 'activation') ?? 'linear';
  if (isOutput && activation !== 'softmax' && activation !== 'sigmoid') {
    throw new UserError(
      `Dense layer "${layer.name}" is the output layer and uses activation "${activation}"; rc-compile supports "softmax" and "sigmoid" there, ` +
        'because the spike test reads class scores. Retrain with a softmax or sigmoid output layer.',
    );
  }
  if (!isOutput && activation !== 'relu' && activation !== 'linear' && activation !== 'sigmoid') {
    throw new UserError(
      `Dense layer "${layer.name}" is a hidden layer and uses activation "${activation}"; rc-compile supports "relu", "linear" and "sigmoid" on hidden Dense layers.`,
    );
  }
  return { kind: 'dense', name: layer.name, units: readUnits(dense), useBias: readUseBias(dense), activation: activation as DenseActivation };
}

function isRecurrent(layer: RawLayer): boolean {
  return layer.className === 'LSTM' || layer.className === 'GRU';
}

function isDense(layer: RawLayer): boolean {
  return layer.className === 'Dense' || layer.className === 'TimeDistributed';
}

/** Keeps the layers that compute, drops InputLayer and the identity layers, rejects the rest. */
function computingLayers(chain: RawLayer[]): RawLayer[] {
  const computing: RawLayer[] = [];
  chain.forEach((layer, index) => {
    if (layer.className === 'InputLayer') {
      if (index === 0) return;
      throw new UserError(`InputLayer "${layer.name}" is not the first layer. ${SUPPORTED}.`);
    }
    checkDtype(layer);
    if (IDENTITY_LAYERS.has(layer.className)) return;
    const reason = REJECTED_LAYERS[layer.className];
    if (reason !== undefined) throw new UserError(`layer "${layer.name}" (${layer.className}) ${reason}.`);
    if (isRecurrent(layer) || isDense(layer)) {
      computing.push(layer);
      return;
    }
    throw new UserError(`layer "${layer.name}" (${layer.className}) is not supported. ${SUPPORTED}.`);
  });
  return computing;
}

/** Parses modelTopology and rejects every network other than recurrent layers, then Dense layers ending in softmax or sigmoid. */
export function parseTopology(topology: unknown): TopologySpec {
  const { modelName, kerasVersion, buildInputShape, layers: chain } = readLayerChain(topology);
  if (chain.length === 0) throw new UserError(`the model "${modelName}" has no layers. ${SUPPORTED}.`);
  const { inputSize, frames } = readInputShape(chain, buildInputShape);
  const computing = computingLayers(chain);

  const recurrentCount = computing.findIndex((layer) => !isRecurrent(layer));
  const order = computing.map((layer) => `${layer.name} (${layer.className})`).join(', ');
  if (recurrentCount === -1) {
    throw new UserError(`the model's layers are ${order || 'none'}; it needs a Dense softmax or sigmoid output layer last. ${SUPPORTED}.`);
  }
  if (recurrentCount === 0) {
    throw new UserError(`the model's layers are ${order}; it needs at least one LSTM or GRU layer first. ${SUPPORTED}.`);
  }
  const head = computing.slice(recurrentCount);
  if (!head.every(isDense)) {
    throw new UserError(`the model's layers are ${order}; a recurrent layer may not follow a Dense layer. ${SUPPORTED}.`);
  }
  const layers: LayerSpec[] = computing.slice(0, recurrentCount).map((layer, index) => validateRecurrent(layer, kerasVersion, index === recurrentCount - 1));
  head.forEach((layer, index) => layers.push(validateDense(layer, index === head.length - 1)));
  return { modelName, kerasVersion, inputSize, frames, layers };
}
