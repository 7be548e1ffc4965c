/**
 * Reads the layer list of a model topology in each layout that a TensorFlow.js
 * model.json can carry. tfjs-layers saves `class_name` and `config` at the top,
 * with `keras_version` "tfjs-layers x.y.z". tensorflowjs_converter writes Keras 2
 * and Keras 3 models with `model_config`, an InputLayer, `batch_input_shape` or
 * `batch_shape`, and dtype as a string or a DTypePolicy object. Sequential
 * models give their layers in order, and a Functional model must be a linear
 * chain from its one input to its one output.
 */
import { UserError } from '../common/errors.js';

export type Config = Record<string, unknown>;

export interface RawLayer {
  className: string;
  name: string;
  config: Config;
}

export interface LayerChain {
  modelName: string;
  /** The keras_version string of model.json, for example "2.15.0", "3.6.0" or "tfjs-layers 4.22.0"; null when absent. */
  kerasVersion: string | null;
  /** The Sequential config's build_input_shape (Keras 3), used when no layer states the input shape. */
  buildInputShape: unknown;
  /** Layers from input to output, InputLayer included. */
  layers: RawLayer[];
}

export function isObject(value: unknown): value is Config {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a config key in its Keras spelling (snake_case) or its tfjs spelling (camelCase). */
export function configValue(config: Config, snakeKey: string): unknown {
  if (snakeKey in config) return config[snakeKey];
  const camelKey = snakeKey.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return config[camelKey];
}

function classNameOf(raw: Config): string {
  return String(raw.class_name ?? raw.className);
}

function readRawLayer(raw: unknown, index: number): RawLayer {
  if (!isObject(raw) || !isObject(raw.config)) throw new UserError(`layer ${index} of model.json has no config object.`);
  const className = classNameOf(raw);
  let name = `${className.toLowerCase()}_${index}`;
  if (typeof raw.name === 'string') name = raw.name;
  if (typeof raw.config.name === 'string') name = raw.config.name;
  return { className, name, config: raw.config };
}

/**
 * Returns the names of the layers that feed a Functional layer. Keras 2 and
 * tfjs-layers write inbound_nodes as [[[name, node, tensor, kwargs], ...]];
 * Keras 3 writes [{args: [...], kwargs: {...}}] with `__keras_tensor__` objects
 * whose keras_history is [name, node, tensor].
 */
function inboundNames(raw: Config, name: string): string[][] {
  const nodes = raw.inbound_nodes ?? raw.inboundNodes;
  if (nodes === undefined) return [];
  if (!Array.isArray(nodes)) throw new UserError(`layer "${name}" has inbound_nodes ${JSON.stringify(nodes)}; expected a list.`);
  return nodes.map((node) => {
    if (Array.isArray(node)) return node.map((entry) => (Array.isArray(entry) ? String(entry[0]) : String(entry)));
    const found: string[] = [];
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(visit);
      else if (isObject(value)) {
        const history = isObject(value.config) ? value.config.keras_history : undefined;
        if (value.class_name === '__keras_tensor__' && Array.isArray(history)) found.push(String(history[0]));
        else Object.values(value).forEach(visit);
      }
    };
    visit(node);
    return found;
  });
}

function endpointNames(value: unknown, key: string, modelName: string): string[] {
  // [[name, node, tensor], ...], or a single [name, node, tensor] in Keras 3.
  const list = Array.isArray(value) && value.length > 0 && !Array.isArray(value[0]) ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new UserError(`the Functional model "${modelName}" has no ${key}; expected one [layer name, 0, 0] entry.`);
  }
  return list.map((entry) => String(Array.isArray(entry) ? entry[0] : entry));
}

const CHAIN_ADVICE = 'rc-compile supports a linear chain of layers from one input to one output; rebuild the model as a Sequential model.';

/** Orders the layers of a Functional model from input to output and rejects anything but a linear chain. */
function functionalChain(config: Config, modelName: string): RawLayer[] {
  const rawLayers = config.layers;
  if (!Array.isArray(rawLayers)) throw new UserError(`the Functional model "${modelName}" in model.json has no list of layers.`);

  const byName = new Map<string, { layer: RawLayer; inbound: string[][] }>();
  rawLayers.forEach((raw, index) => {
    const layer = readRawLayer(raw, index);
    byName.set(layer.name, { layer, inbound: inboundNames(raw as Config, layer.name) });
  });
  const inputs = endpointNames(configValue(config, 'input_layers'), 'input_layers', modelName);
  const outputs = endpointNames(configValue(config, 'output_layers'), 'output_layers', modelName);
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new UserError(`the Functional model "${modelName}" has ${inputs.length} inputs and ${outputs.length} outputs. ${CHAIN_ADVICE}`);
  }

  // Walk back from the output: each layer on a chain has exactly one inbound tensor.
  const chain: RawLayer[] = [];
  let current = outputs[0];
  for (;;) {
    const entry = byName.get(current);
    if (entry === undefined) throw new UserError(`the Functional model "${modelName}" refers to layer "${current}", which it does not define.`);
    chain.unshift(entry.layer);
    if (current === inputs[0]) break;
    if (entry.inbound.length !== 1 || entry.inbound[0].length !== 1) {
      const count = entry.inbound.length === 1 ? entry.inbound[0].length : entry.inbound.length;
      throw new UserError(`layer "${current}" (${entry.layer.className}) is called with ${count} inputs or on ${entry.inbound.length} nodes. ${CHAIN_ADVICE}`);
    }
    current = entry.inbound[0][0];
    if (chain.length > byName.size) throw new UserError(`the Functional model "${modelName}" has a cycle through layer "${current}".`);
  }

  if (chain.length !== byName.size) {
    const onChain = new Set(chain.map((layer) => layer.name));
    const off = [...byName.keys()].filter((name) => !onChain.has(name));
    throw new UserError(`layers ${off.map((name) => `"${name}"`).join(', ')} are not on the path from the input to the output. ${CHAIN_ADVICE}`);
  }
  return chain;
}

/** Reads modelTopology into its layer chain, from input to output. */
export function readLayerChain(topology: unknown): LayerChain {
  if (!isObject(topology)) {
    throw new UserError('model.json has no modelTopology object; expected a TensorFlow.js layers model (format "layers-model").');
  }
  const model = isObject(topology.model_config) ? topology.model_config : topology;
  const rawVersion = topology.keras_version ?? topology.kerasVersion ?? model.keras_version ?? model.kerasVersion;
  const kerasVersion = typeof rawVersion === 'string' ? rawVersion : null;
  const className = classNameOf(model);
  const config = model.config;
  const configName = isObject(config) && typeof config.name === 'string' ? config.name : 'model';

  if (className === 'Sequential') {
    // Keras before 2.2 stored a Sequential model's config as the bare list of layers.
    const rawLayers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
    if (!Array.isArray(rawLayers)) throw new UserError('the Sequential model in model.json has no list of layers.');
    const buildInputShape = isObject(config) ? configValue(config, 'build_input_shape') : undefined;
    return { modelName: configName, kerasVersion, buildInputShape, layers: rawLayers.map(readRawLayer) };
  }
  if ((className === 'Functional' || className === 'Model') && isObject(config)) {
    return { modelName: configName, kerasVersion, buildInputShape: undefined, layers: functionalChain(config, configName) };
  }
  throw new UserError(`model class "${className}" is not supported; rc-compile reads Sequential models and Functional models that are a linear chain of layers.`);
}

/**
 * Returns the dtype name of a layer config: a string in Keras 2 and tfjs-layers,
 * or the name inside a Keras 3 DTypePolicy object {class_name: "DTypePolicy",
 * config: {name: "float32"}}. Returns undefined when the config has no dtype.
 */
export function dtypeName(config: Config): string | undefined {
  const dtype = config.dtype;
  if (dtype === undefined || dtype === null) return undefined;
  if (typeof dtype === 'string') return dtype;
  if (isObject(dtype) && isObject(dtype.config) && typeof dtype.config.name === 'string') return dtype.config.name;
  return JSON.stringify(dtype);
}
