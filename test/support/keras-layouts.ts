/**
 * Rewrites a topology saved by tfjs-layers into the layouts that
 * tensorflowjs_converter writes for Keras 2 and Keras 3 models, Sequential or
 * Functional, and renames the weights the way those converters name them.
 * Tests and scripts/gen-fixtures.ts use it to check every layout against the
 * same weights and predictions.
 *
 * Keras 2: keras_version "2.x", an InputLayer with batch_input_shape, dtype a
 * string, Functional inbound_nodes [[[name, 0, 0, {}]]], weights
 * "<layer>/<cell>/<role>" for recurrent layers.
 * Keras 3: keras_version "3.x", `module` and `registered_name` on every entry,
 * an InputLayer with batch_shape, dtype a DTypePolicy object, build_config,
 * Functional inbound_nodes [{args: [__keras_tensor__], kwargs}], weights
 * scoped by the model name, "<model>/<layer>/<cell>/<role>".
 */
type Json = Record<string, any>;

export type KerasVersion = 2 | 3;
export type ModelForm = 'sequential' | 'functional';

export interface KerasLayout {
  modelTopology: Json;
  /** Maps a tfjs-layers weight name ("<layer>/<role>") to the converter's name. */
  renameWeight: (name: string) => string;
}

const KERAS_VERSIONS: Record<KerasVersion, string> = { 2: '2.15.0', 3: '3.6.0' };
const RECURRENT_CELLS: Record<string, string> = { LSTM: 'lstm_cell', GRU: 'gru_cell' };

function dtypePolicy(name: string): Json {
  return { module: 'keras', class_name: 'DTypePolicy', config: { name }, registered_name: null };
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Rewrites one layer entry; `inputShape` is [null, frames, features] of its input. */
function rewriteLayer(layer: Json, version: KerasVersion, inputShape: unknown[]): Json {
  const config = clone(layer.config);
  delete config.batch_input_shape;
  if (version === 2) return { class_name: layer.class_name, config };
  config.dtype = dtypePolicy('float32');
  if (config.layer !== undefined) config.layer = rewriteLayer(config.layer, 3, inputShape);
  return { module: 'keras.layers', class_name: layer.class_name, config, registered_name: null, build_config: { input_shape: inputShape } };
}

function inputLayer(version: KerasVersion, shape: unknown[]): Json {
  if (version === 2) {
    return { class_name: 'InputLayer', config: { batch_input_shape: shape, dtype: 'float32', sparse: false, ragged: false, name: 'input_1' } };
  }
  return { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: shape, dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null };
}

function outputWidth(layer: Json): number {
  return layer.config.units ?? layer.config.layer?.config.units;
}

/** Adds the Functional fields (name, inbound_nodes) to a chain of layer entries. */
function linkChain(layers: Json[], version: KerasVersion): void {
  let shape: unknown[] = layers[0].config.batch_input_shape ?? layers[0].config.batch_shape;
  layers.forEach((layer, index) => {
    layer.name = layer.config.name;
    if (index === 0) {
      layer.inbound_nodes = [];
      return;
    }
    const previous = layers[index - 1].config.name;
    if (version === 2) {
      layer.inbound_nodes = [[[previous, 0, 0, {}]]];
    } else {
      const tensor = { class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [previous, 0, 0] } };
      layer.inbound_nodes = [{ args: [tensor], kwargs: layer.class_name === 'Dense' ? {} : { training: false, mask: null } }];
    }
    shape = [shape[0], shape[1], outputWidth(layer)];
  });
}

/** Rewrites a tfjs-layers Sequential topology into a converter layout. */
export function toKerasLayout(tfjsTopology: Json, version: KerasVersion, form: ModelForm): KerasLayout {
  const modelName: string = tfjsTopology.config.name;
  const source: Json[] = tfjsTopology.config.layers;
  const batchShape: unknown[] = source[0].config.batch_input_shape;
  const layers: Json[] = [inputLayer(version, batchShape)];
  let shape = batchShape;
  const cells = new Map<string, string>();
  for (const layer of source) {
    layers.push(rewriteLayer(layer, version, shape));
    if (RECURRENT_CELLS[layer.class_name] !== undefined) cells.set(layer.config.name, RECURRENT_CELLS[layer.class_name]);
    shape = [shape[0], shape[1], outputWidth(layer)];
  }

  let modelConfig: Json;
  if (form === 'sequential') {
    modelConfig = { class_name: 'Sequential', config: { name: modelName, layers } };
    if (version === 3) modelConfig.config.build_input_shape = batchShape;
  } else {
    linkChain(layers, version);
    const first = layers[0].config.name;
    const last = layers[layers.length - 1].config.name;
    modelConfig = { class_name: 'Functional', config: { name: modelName, layers, input_layers: [[first, 0, 0]], output_layers: [[last, 0, 0]] } };
  }
  if (version === 3) {
    modelConfig = { module: 'keras', ...modelConfig, registered_name: null };
    modelConfig.config.trainable = true;
    modelConfig.config.dtype = dtypePolicy('float32');
  }
  const modelTopology = { keras_version: KERAS_VERSIONS[version], backend: 'tensorflow', model_config: modelConfig };

  const renameWeight = (name: string): string => {
    const slash = name.lastIndexOf('/');
    const layer = name.slice(0, slash);
    const role = name.slice(slash + 1);
    const cell = cells.get(layer);
    const path = cell === undefined ? `${layer}/${role}` : `${layer}/${cell}/${role}`;
    return version === 3 ? `${modelName}/${path}` : path;
  };
  return { modelTopology, renameWeight };
}
