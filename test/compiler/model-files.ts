/**
 * Writes a float model to disk as a TensorFlow.js layers model (model.json plus
 * float32 weight shards), the way tfjs-layers saves one, with switches for the
 * variants the loader must accept or reject.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FloatLayer, FloatModel } from '../../compiler/float-model.js';

export interface ModelFileOptions {
  /** Spell config keys in camelCase (tfjs getConfig) instead of snake_case (saved model.json). */
  camelCase?: boolean;
  /** Number of weight shards to split the weights into. */
  shards?: number;
  /** userDefinedMetadata.rankcode; null leaves userDefinedMetadata out. */
  metadata?: Record<string, unknown> | null;
  /** Write the Keras converter layout: model_config, an InputLayer and lstm/lstm_cell/* weight names. */
  kerasLayout?: boolean;
  /** Changes the JSON after it is built, before it is written. */
  edit?: (json: Record<string, any>) => void;
}

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function spell(config: Record<string, unknown>, camelCase: boolean): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [camelCase ? camel(key) : key, value]));
}

const CLASS_NAMES = { lstm: 'LSTM', gru: 'GRU', dense: 'Dense' };

const GATE_ACTIVATION_NAMES = { sigmoid: 'sigmoid', hard_sigmoid_keras2: 'hard_sigmoid', hard_sigmoid_keras3: 'hard_sigmoid' };

/** Returns the layer config in snake_case, as a saved model.json spells it. */
function layerConfig(layer: FloatLayer): Record<string, unknown> {
  if (layer.kind === 'dense') return { name: layer.name, units: layer.units, activation: layer.activation, use_bias: true };
  return {
    name: layer.name,
    units: layer.units,
    activation: 'tanh',
    recurrent_activation: GATE_ACTIVATION_NAMES[layer.recurrentActivation],
    use_bias: true,
    return_sequences: true,
    return_state: false,
    go_backwards: false,
    stateful: false,
    ...(layer.kind === 'gru' ? { reset_after: layer.resetAfter } : {}),
  };
}

/** Returns the manifest entries of a layer, with recurrent weights named "<layer>/<cell>/<role>" as Keras names them. */
function layerWeights(layer: FloatLayer, keras: boolean): { name: string; shape: number[]; data: Float32Array }[] {
  if (layer.kind === 'dense') {
    return [
      { name: `${layer.name}/kernel`, shape: [layer.inputSize, layer.units], data: layer.kernel },
      { name: `${layer.name}/bias`, shape: [layer.units], data: layer.bias },
    ];
  }
  const prefix = keras ? `${layer.name}/${layer.kind}_cell` : layer.name;
  const width = (layer.kind === 'lstm' ? 4 : 3) * layer.units;
  let bias: { shape: number[]; data: Float32Array } = { shape: [width], data: layer.kind === 'lstm' ? layer.bias : layer.inputBias };
  if (layer.kind === 'gru' && layer.resetAfter) {
    const both = new Float32Array(2 * width);
    both.set(layer.inputBias, 0);
    both.set(layer.recurrentBias, width);
    bias = { shape: [2, width], data: both };
  }
  return [
    { name: `${prefix}/kernel`, shape: [layer.inputSize, width], data: layer.kernel },
    { name: `${prefix}/recurrent_kernel`, shape: [layer.units, width], data: layer.recurrentKernel },
    { name: `${prefix}/bias`, ...bias },
  ];
}

/** Returns the metadata that rc-train writes for the given model. */
export function defaultMetadata(model: FloatModel): Record<string, unknown> {
  return {
    version: 1,
    task: 'test',
    mode: 'rc',
    threshold: model.settings.threshold,
    beta: 0,
    labels: model.settings.labels,
    frames: 5,
    frameShape: [model.layers[0].inputSize],
    input: { kind: 'binary', min: model.settings.inputMin, max: model.settings.inputMax },
  };
}

/** Writes model.json and its shards into `folder`; returns the path of model.json. */
export function writeModelFiles(folder: string, model: FloatModel, options: ModelFileOptions = {}): string {
  mkdirSync(folder, { recursive: true });
  const camelCase = options.camelCase ?? false;
  const keras = options.kerasLayout ?? false;
  const inputSize = model.layers[0].inputSize;
  const layers: unknown[] = model.layers.map((layer, index) => ({
    class_name: CLASS_NAMES[layer.kind],
    config: spell({ ...layerConfig(layer), ...(index === 0 && !keras ? { batch_input_shape: [null, 5, inputSize] } : {}) }, camelCase),
  }));
  if (keras) layers.unshift({ class_name: 'InputLayer', config: { batch_input_shape: [null, 5, inputSize], name: 'input_1' } });
  const sequential = { class_name: 'Sequential', config: { name: model.name, layers } };
  const modelTopology = keras ? { keras_version: '2.15.0', backend: 'tensorflow', model_config: sequential } : sequential;

  const weights = model.layers.flatMap((layer) => layerWeights(layer, keras));
  const bytes = new Uint8Array(weights.reduce((sum, w) => sum + 4 * w.data.length, 0));
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const weight of weights) {
    for (const value of weight.data) {
      view.setFloat32(offset, value, true);
      offset += 4;
    }
  }
  const shardCount = options.shards ?? 1;
  const shardSize = Math.ceil(bytes.length / shardCount);
  const paths: string[] = [];
  for (let k = 0; k < shardCount; k++) {
    const path = `group1-shard${k + 1}of${shardCount}.bin`;
    writeFileSync(join(folder, path), bytes.subarray(k * shardSize, (k + 1) * shardSize));
    paths.push(path);
  }

  const json: Record<string, any> = {
    modelTopology,
    format: 'layers-model',
    generatedBy: 'rankcode tests',
    convertedBy: null,
    weightsManifest: [{ paths, weights: weights.map(({ name, shape }) => ({ name, shape, dtype: 'float32' })) }],
  };
  const metadata = options.metadata === undefined ? defaultMetadata(model) : options.metadata;
  if (metadata !== null) json.userDefinedMetadata = { rankcode: metadata };
  options.edit?.(json);
  const modelPath = join(folder, 'model.json');
  writeFileSync(modelPath, JSON.stringify(json));
  return modelPath;
}
