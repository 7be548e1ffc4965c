/**
 * Loads a TensorFlow.js layers model (model.json plus its weight shards) from
 * disk with plain fs, validates it and returns the float model.
 *
 * Weights are matched to layers by name. A weight belongs to a layer when its
 * name starts with "<layer name>/" and its last path segment is the role
 * (kernel, recurrent_kernel or bias). That covers "lstm_LSTM1/kernel" from
 * tfjs-layers and "lstm/lstm_cell/kernel" from Keras through tensorflowjs_converter.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../common/errors.js';
import type { FloatModel } from './float-model.js';
import { parseRankcodeSettings } from './metadata.js';
import { parseTopology } from './topology.js';

interface WeightEntry {
  name: string;
  shape: number[];
  data: Float32Array;
}

type WeightRole = 'kernel' | 'recurrent_kernel' | 'bias';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readJson(path: string): { bytes: Buffer; json: Record<string, unknown> } {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UserError(`model file ${path} not found; pass the path of a model.json.`);
  const bytes = readFileSync(path);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new UserError(`model file ${path} is not valid JSON (${(error as Error).message}).`);
  }
  if (!isObject(json)) throw new UserError(`model file ${path} does not contain a JSON object; expected a TensorFlow.js model.json.`);
  return { bytes, json };
}

function parseWeightSpec(raw: unknown, groupIndex: number): { name: string; shape: number[] } {
  const spec = isObject(raw) ? raw : {};
  const name = spec.name;
  const shape = spec.shape;
  const validShape = Array.isArray(shape) && shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0);
  if (typeof name !== 'string' || !validShape) {
    throw new UserError(`weightsManifest group ${groupIndex} has an entry without a name and shape: ${JSON.stringify(raw)}.`);
  }
  if (spec.dtype !== 'float32') {
    throw new UserError(`weight "${name}" has dtype ${JSON.stringify(spec.dtype)}; rc-compile reads float32 weights only. Export the model without weight quantization.`);
  }
  if (spec.quantization !== undefined) {
    throw new UserError(`weight "${name}" is stored quantized; rc-compile reads float32 weights only. Export the model without weight quantization.`);
  }
  return { name, shape: shape as number[] };
}

/**
 * Reads every weight group: its shards are concatenated in the order of `paths`
 * and the weights laid out one after another, little-endian float32.
 */
function readWeights(manifest: unknown, modelDir: string, hash: ReturnType<typeof createHash>): Map<string, WeightEntry> {
  if (!Array.isArray(manifest)) throw new UserError('model.json has no weightsManifest list; export the model with its weights.');
  const weights = new Map<string, WeightEntry>();
  manifest.forEach((rawGroup, groupIndex) => {
    const group = isObject(rawGroup) ? rawGroup : {};
    const paths = group.paths;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string') || !Array.isArray(group.weights)) {
      throw new UserError(`weightsManifest group ${groupIndex} needs "paths" (shard file names) and "weights" lists.`);
    }
    const shards = (paths as string[]).map((shardPath) => {
      const fullPath = resolve(modelDir, shardPath);
      if (!existsSync(fullPath)) throw new UserError(`weight shard "${shardPath}" listed in model.json not found at ${fullPath}.`);
      return readFileSync(fullPath);
    });
    for (const shard of shards) hash.update(shard);
    const bytes = Buffer.concat(shards);
    const specs = group.weights.map((raw) => parseWeightSpec(raw, groupIndex));
    const expected = specs.reduce((sum, spec) => sum + 4 * spec.shape.reduce((n, d) => n * d, 1), 0);
    if (expected !== bytes.length) {
      throw new UserError(
        `weight shards ${paths.join(', ')} hold ${bytes.length} bytes but their manifest entries need ${expected}; ` +
          'the shards do not belong to this model.json or are truncated.',
      );
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 0;
    for (const spec of specs) {
      const count = spec.shape.reduce((n, d) => n * d, 1);
      const data = new Float32Array(count);
      for (let k = 0; k < count; k++) data[k] = view.getFloat32(offset + 4 * k, true);
      offset += 4 * count;
      if (weights.has(spec.name)) throw new UserError(`weight "${spec.name}" appears twice in weightsManifest.`);
      weights.set(spec.name, { name: spec.name, shape: spec.shape, data });
    }
  });
  return weights;
}

/** Strips the ":0" output suffix that converted TensorFlow names may carry, and returns the last path segment. */
function weightRole(name: string): string {
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last.replace(/:\d+$/, '');
}

function findWeight(weights: Map<string, WeightEntry>, layerName: string, role: WeightRole, shape: number[]): Float32Array {
  const matches = [...weights.values()].filter((w) => w.name.startsWith(`${layerName}/`) && weightRole(w.name) === role);
  if (matches.length === 0) {
    const names = [...weights.keys()].join(', ') || 'none';
    throw new UserError(`layer "${layerName}" has no ${role} weight in weightsManifest (weights present: ${names}).`);
  }
  if (matches.length > 1) {
    throw new UserError(`layer "${layerName}" has ${matches.length} ${role} weights (${matches.map((w) => w.name).join(', ')}); expected one.`);
  }
  const weight = matches[0];
  if (weight.shape.length !== shape.length || weight.shape.some((d, k) => d !== shape[k])) {
    throw new UserError(`weight "${weight.name}" has shape [${weight.shape.join(', ')}]; the layer config needs [${shape.join(', ')}].`);
  }
  const bad = weight.data.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) throw new UserError(`weight "${weight.name}" has the non-finite value ${weight.data[bad]} at index ${bad}; retrain the model.`);
  return weight.data;
}

/** Loads and validates model.json and its shards; throws UserError for anything rc-compile cannot compile. */
export function loadModel(modelPath: string): FloatModel {
  const { bytes, json } = readJson(modelPath);
  const hash = createHash('sha256');
  hash.update(bytes);
  const topology = parseTopology(json.modelTopology);
  const weights = readWeights(json.weightsManifest, dirname(resolve(modelPath)), hash);

  const { inputSize, lstm, dense } = topology;
  const gateWidth = 4 * lstm.units;
  const lstmWeights = {
    name: lstm.name,
    inputSize,
    units: lstm.units,
    kernel: findWeight(weights, lstm.name, 'kernel', [inputSize, gateWidth]),
    recurrentKernel: findWeight(weights, lstm.name, 'recurrent_kernel', [lstm.units, gateWidth]),
    bias: lstm.useBias ? findWeight(weights, lstm.name, 'bias', [gateWidth]) : new Float32Array(gateWidth),
  };
  const denseWeights = {
    name: dense.name,
    inputSize: lstm.units,
    units: dense.units,
    kernel: findWeight(weights, dense.name, 'kernel', [lstm.units, dense.units]),
    bias: dense.useBias ? findWeight(weights, dense.name, 'bias', [dense.units]) : new Float32Array(dense.units),
  };
  const settings = parseRankcodeSettings(json.userDefinedMetadata, { classes: dense.units, inputSize, frames: topology.frames });
  return { name: topology.modelName, sourceHash: hash.digest('hex'), lstm: lstmWeights, dense: denseWeights, settings };
}
