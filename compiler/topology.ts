/**
 * Reads and validates the layer topology of a TensorFlow.js layers model.json.
 * Accepts what tfjs-layers saves (snake_case keys such as `batch_input_shape`,
 * `recurrent_activation`), the camelCase keys of tfjs layer configs, and what
 * tensorflowjs_converter writes for a Keras model (`model_config`, an InputLayer).
 * The only supported network is one LSTM followed by one Dense softmax layer.
 */
import { UserError } from '../common/errors.js';
import { log } from '../common/log.js';

export interface LstmSpec {
  name: string;
  units: number;
  useBias: boolean;
}

export interface DenseSpec {
  /** The name that prefixes its weights: the TimeDistributed wrapper's name when wrapped. */
  name: string;
  units: number;
  useBias: boolean;
}

export interface TopologySpec {
  modelName: string;
  /** Values per frame, the last dimension of the input shape. */
  inputSize: number;
  /** Frames per sequence from the input shape, or null when the shape leaves it open. */
  frames: number | null;
  lstm: LstmSpec;
  dense: DenseSpec;
}

type Config = Record<string, unknown>;

const SUPPORTED =
  'rc-compile supports Sequential models made of one LSTM layer followed by one Dense softmax layer ' +
  '(InputLayer, Dropout and TimeDistributed(Dense) are also accepted)';

function isObject(value: unknown): value is Config {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a config key in its Keras spelling (snake_case) or its tfjs spelling (camelCase). */
function configValue(config: Config, snakeKey: string): unknown {
  if (snakeKey in config) return config[snakeKey];
  const camelKey = snakeKey.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return config[camelKey];
}

function positiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

interface RawLayer {
  className: string;
  name: string;
  config: Config;
}

function readLayers(topology: unknown): { modelName: string; layers: RawLayer[] } {
  if (!isObject(topology)) {
    throw new UserError('model.json has no modelTopology object; expected a TensorFlow.js layers model (format "layers-model").');
  }
  const model = isObject(topology.model_config) ? topology.model_config : topology;
  const className = model.class_name ?? model.className;
  if (className !== 'Sequential') {
    throw new UserError(`model class "${String(className)}" is not supported. ${SUPPORTED}.`);
  }
  const config = model.config;
  // Keras before 2.2 stored a Sequential model's config as the bare list of layers.
  const rawLayers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(rawLayers)) throw new UserError('the Sequential model in model.json has no list of layers.');
  const modelName = isObject(config) && typeof config.name === 'string' ? config.name : 'model';
  const layers = rawLayers.map((raw, index): RawLayer => {
    if (!isObject(raw) || !isObject(raw.config)) throw new UserError(`layer ${index} of model.json has no config object.`);
    const layerClass = String(raw.class_name ?? raw.className);
    const name = typeof raw.config.name === 'string' ? raw.config.name : `${layerClass.toLowerCase()}_${index}`;
    return { className: layerClass, name, config: raw.config };
  });
  return { modelName, layers };
}

function readInputShape(layers: RawLayer[]): { inputSize: number; frames: number | null } {
  const first = layers[0];
  const shape = configValue(first.config, 'batch_input_shape') ?? configValue(first.config, 'batch_shape');
  if (!Array.isArray(shape)) {
    throw new UserError(
      `the first layer "${first.name}" (${first.className}) has no batch_input_shape; ` +
        'expected [null, frames, values per frame], as set by batchInputShape in TensorFlow.js.',
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

function validateLstm(layer: RawLayer): LstmSpec {
  const recurrent = activationName(layer.config, 'recurrent_activation');
  if (recurrent !== 'sigmoid') {
    const stated = recurrent === undefined ? 'does not state its recurrent activation' : `uses recurrent activation "${recurrent}"`;
    throw new UserError(
      `LSTM layer "${layer.name}" ${stated}; rc-compile supports "sigmoid" only. ` +
        "Train with recurrentActivation: 'sigmoid' set explicitly (TensorFlow.js defaults to hard_sigmoid, Keras to sigmoid).",
    );
  }
  const activation = activationName(layer.config, 'activation') ?? 'tanh';
  if (activation !== 'tanh') {
    throw new UserError(`LSTM layer "${layer.name}" uses activation "${activation}"; rc-compile supports "tanh" only.`);
  }
  if (configValue(layer.config, 'go_backwards') === true) {
    throw new UserError(`LSTM layer "${layer.name}" has go_backwards set; a streaming runtime reads frames forwards only.`);
  }
  if (configValue(layer.config, 'return_state') === true) {
    throw new UserError(`LSTM layer "${layer.name}" has return_state set; ${SUPPORTED}.`);
  }
  if (configValue(layer.config, 'return_sequences') === false) {
    log.warn(
      `LSTM layer "${layer.name}" has return_sequences false, so the trained model classifies only at the last frame; ` +
        'the compiled runtimes apply the Dense layer after every frame.',
    );
  }
  return { name: layer.name, units: readUnits(layer), useBias: readUseBias(layer) };
}

function validateDense(layer: RawLayer): DenseSpec {
  let dense = layer;
  if (layer.className === 'TimeDistributed') {
    const inner = layer.config.layer;
    const innerClass = isObject(inner) ? String(inner.class_name ?? inner.className) : 'nothing';
    if (!isObject(inner) || innerClass !== 'Dense' || !isObject(inner.config)) {
      throw new UserError(`layer "${layer.name}" wraps ${innerClass} in TimeDistributed; only TimeDistributed(Dense) is supported.`);
    }
    dense = { className: 'Dense', name: layer.name, config: inner.config };
  }
  const activation = activationName(dense.config, 'activation') ?? 'linear';
  if (activation !== 'softmax') {
    // NOTE: the two-class form with one sigmoid output (y >= theta or y <= 1 - theta) is not compiled yet.
    throw new UserError(
      `Dense layer "${layer.name}" uses activation "${activation}"; rc-compile supports "softmax" on the output layer only.`,
    );
  }
  return { name: layer.name, units: readUnits(dense), useBias: readUseBias(dense) };
}

/** Parses modelTopology and rejects every network other than LSTM followed by Dense softmax. */
export function parseTopology(topology: unknown): TopologySpec {
  const { modelName, layers } = readLayers(topology);
  if (layers.length === 0) throw new UserError(`the Sequential model "${modelName}" has no layers. ${SUPPORTED}.`);
  const { inputSize, frames } = readInputShape(layers);

  const computing: RawLayer[] = [];
  layers.forEach((layer, index) => {
    if (layer.className === 'InputLayer' && index === 0) return;
    if (layer.className === 'Dropout') return; // identity at inference
    if (layer.className === 'LSTM' || layer.className === 'Dense' || layer.className === 'TimeDistributed') {
      computing.push(layer);
      return;
    }
    throw new UserError(`layer "${layer.name}" (${layer.className}) is not supported. ${SUPPORTED}.`);
  });

  const lstmLayers = computing.filter((layer) => layer.className === 'LSTM');
  if (lstmLayers.length !== 1) {
    const names = lstmLayers.map((layer) => `"${layer.name}"`).join(', ');
    throw new UserError(`the model has ${lstmLayers.length} LSTM layers${names ? ` (${names})` : ''}. ${SUPPORTED}.`);
  }
  if (computing.length !== 2 || computing[0].className !== 'LSTM') {
    const order = computing.map((layer) => `${layer.name} (${layer.className})`).join(', ');
    throw new UserError(`the model's layers are ${order}. ${SUPPORTED}.`);
  }
  return { modelName, inputSize, frames, lstm: validateLstm(computing[0]), dense: validateDense(computing[1]) };
}
