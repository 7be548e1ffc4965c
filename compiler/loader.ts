/**
 * Loads a TensorFlow.js layers model (model.json plus its weight shards) from
 * disk with plain fs, validates it and returns the float model.
 *
 * The loader only reads. Its checks run in this order, so that nothing large is
 * allocated or read before the sizes that bound it are accepted:
 *   1. model.json: size, UTF-8, nesting depth, JSON object, layers-model format
 *   2. topology, then the layer widths and the total weight count (loader-limits.ts)
 *   3. weightsManifest: entries, dtypes, shard paths inside the model folder,
 *      shard sizes against the manifest; then the shards are read and decoded
 *   4. weights assigned to layers by name and role, with shapes and finite values
 *   5. userDefinedMetadata.rankcode, and the labels the targets emit as strings
 * Every rejection is a UserError that names the file, layer or value.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../common/errors.js';
import { type FloatModel, classCount } from './float-model.js';
import { briefJson, readModelJson } from './loader-files.js';
import { MAX_LABEL_BYTES, MAX_LAYER_WIDTH, MAX_NAME_LENGTH, MAX_TOTAL_WEIGHTS } from './loader-limits.js';
import { assembleLayers, expectedWeights } from './assemble.js';
import { assignWeights, readWeights, type WeightedLayer } from './loader-weights.js';
import { checkInputRange, parseRankcodeSettings } from './metadata.js';
import { type DenseSpec, parseTopology, type TopologySpec } from './topology.js';

/** The `format` that tfjs-layers and tensorflowjs_converter write for a layers model. */
const LAYERS_MODEL_FORMAT = 'layers-model';

function checkFormat(json: Record<string, unknown>, modelPath: string): void {
  const format = json.format;
  if (format === undefined || format === LAYERS_MODEL_FORMAT) return;
  const hint = format === 'graph-model' ? ' A graph model has no layer topology; convert the Keras model with --output_format tfjs_layers_model.' : '';
  throw new UserError(`model file ${modelPath} has format ${briefJson(format)}; rc-compile and rc-eval read TensorFlow.js layers models ("${LAYERS_MODEL_FORMAT}").${hint}`);
}

/**
 * Checks the parts of model.json that every reader of a model shares: the
 * layers-model format and the input range in userDefinedMetadata.rankcode.
 */
export function checkModelJson(json: Record<string, unknown>, modelPath: string): void {
  checkFormat(json, modelPath);
  checkInputRange(json.userDefinedMetadata);
}

/**
 * Rejects layer widths above MAX_LAYER_WIDTH and models with more than
 * MAX_TOTAL_WEIGHTS weights, from the topology alone: no shard is read yet.
 */
function checkModelSize(topology: TopologySpec, layers: WeightedLayer[]): void {
  const widths: [string, number][] = [
    [`the input of layer ${briefJson(topology.layers[0].name)} (values per frame)`, topology.inputSize],
    ...layers.map((layer, index): [string, number] => [`layer ${briefJson(layer.name)} (${layer.className} units)`, topology.layers[index].units]),
  ];
  for (const [what, width] of widths) {
    if (width > MAX_LAYER_WIDTH) throw new UserError(`${what} has width ${width}; rc-compile accepts at most ${MAX_LAYER_WIDTH}.`);
  }
  const total = layers.reduce((sum, layer) => sum + layer.weights.reduce((n, weight) => n + weight.shape.reduce((p, d) => p * d, 1), 0), 0);
  if (total > MAX_TOTAL_WEIGHTS) {
    throw new UserError(`the model has ${total} weights; rc-compile accepts at most ${MAX_TOTAL_WEIGHTS} (2^24) in a model.`);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks the texts that the targets emit. Every target escapes them, so no text
 * can change the generated code. These checks reject what a C string cannot
 * carry exactly: a NUL (it would end the C string early), a lone UTF-16
 * surrogate (not encodable as UTF-8), and labels longer than MAX_LABEL_BYTES.
 */
function checkModelText(model: FloatModel): void {
  const names: [string, string][] = [
    ['model name', model.name],
    ...model.layers.map((layer): [string, string] => [`name of layer ${briefJson(layer.name)}`, layer.name]),
  ];
  for (const [what, name] of names) {
    if (name.length > MAX_NAME_LENGTH) throw new UserError(`the ${what} has ${name.length} characters; rc-compile accepts at most ${MAX_NAME_LENGTH}.`);
  }
  model.settings.labels.forEach((label, index) => {
    const where = `userDefinedMetadata.rankcode.labels[${index}] (${briefJson(label, 40)})`;
    if (label.includes('\0')) throw new UserError(`${where} contains a NUL character, which a C string cannot hold; remove it from the label.`);
    if (LONE_SURROGATE.test(label)) throw new UserError(`${where} contains a lone UTF-16 surrogate, which is not valid Unicode text; fix the label.`);
    const bytes = Buffer.byteLength(label, 'utf8');
    if (bytes > MAX_LABEL_BYTES) throw new UserError(`${where} has ${bytes} UTF-8 bytes; rc-compile accepts labels of at most ${MAX_LABEL_BYTES}.`);
  });
}

/** Loads and validates model.json and its shards; throws UserError for anything rc-compile cannot compile. */
export function loadModel(modelPath: string): FloatModel {
  const file = readModelJson(modelPath);
  checkFormat(file.json, modelPath);
  const topology = parseTopology(file.json.modelTopology);
  const layers = expectedWeights(topology);
  checkModelSize(topology, layers);

  const hash = createHash('sha256');
  hash.update(file.bytes);
  const weights = readWeights(file.json.weightsManifest, file.folder, hash);
  const values = assignWeights(weights, layers, topology.modelName);

  const classes = classCount(topology.layers[topology.layers.length - 1] as DenseSpec);
  const model: FloatModel = {
    name: topology.modelName,
    sourceHash: hash.digest('hex'),
    layers: assembleLayers(topology, values),
    settings: parseRankcodeSettings(file.json.userDefinedMetadata, { classes, inputSize: topology.inputSize, frames: topology.frames }),
  };
  checkModelText(model);
  return model;
}
