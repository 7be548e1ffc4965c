/**
 * Writes a float model to disk as a TensorFlow.js layers model (model.json plus
 * float32 weight shards), the way tfjs-layers saves one, with switches for the
 * variants the loader must accept or reject.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FloatModel } from '../../compiler/float-model.js';

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
    frameShape: [model.lstm.inputSize],
    input: { kind: 'binary', min: model.settings.inputMin, max: model.settings.inputMax },
  };
}

/** Writes model.json and its shards into `folder`; returns the path of model.json. */
export function writeModelFiles(folder: string, model: FloatModel, options: ModelFileOptions = {}): string {
  mkdirSync(folder, { recursive: true });
  const camelCase = options.camelCase ?? false;
  const keras = options.kerasLayout ?? false;
  const { lstm, dense } = model;
  const lstmConfig = spell(
    {
      name: lstm.name,
      ...(keras ? {} : { batch_input_shape: [null, 5, lstm.inputSize] }),
      units: lstm.units,
      activation: 'tanh',
      recurrent_activation: 'sigmoid',
      use_bias: true,
      return_sequences: true,
      return_state: false,
      go_backwards: false,
      stateful: false,
    },
    camelCase,
  );
  const denseConfig = spell({ name: dense.name, units: dense.units, activation: 'softmax', use_bias: true }, camelCase);
  const layers: unknown[] = [
    { class_name: 'LSTM', config: lstmConfig },
    { class_name: 'Dense', config: denseConfig },
  ];
  if (keras) layers.unshift({ class_name: 'InputLayer', config: { batch_input_shape: [null, 5, lstm.inputSize], name: 'input_1' } });
  const sequential = { class_name: 'Sequential', config: { name: model.name, layers } };
  const modelTopology = keras ? { keras_version: '2.15.0', backend: 'tensorflow', model_config: sequential } : sequential;

  const lstmPrefix = keras ? `${lstm.name}/lstm_cell` : lstm.name;
  const weights = [
    { name: `${lstmPrefix}/kernel`, shape: [lstm.inputSize, 4 * lstm.units], data: lstm.kernel },
    { name: `${lstmPrefix}/recurrent_kernel`, shape: [lstm.units, 4 * lstm.units], data: lstm.recurrentKernel },
    { name: `${lstmPrefix}/bias`, shape: [4 * lstm.units], data: lstm.bias },
    { name: `${dense.name}/kernel`, shape: [dense.inputSize, dense.units], data: dense.kernel },
    { name: `${dense.name}/bias`, shape: [dense.units], data: dense.bias },
  ];
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
