/**
 * Weights of a TensorFlow.js layers model: parses weightsManifest, reads the
 * shards of every group and decodes each weight to float32, then assigns the
 * weights to the layers of the topology by layer name and role.
 *
 * Encodings, as tfjs-core 4.x decodes them (io_utils decodeWeight):
 *   dtype float32 without quantization        little-endian float32
 *   quantization {dtype: 'float16'}            little-endian IEEE half floats
 *   quantization {dtype: 'uint8' | 'uint16', min, scale}   value = q * scale + min
 * Every size is checked against the limits of loader-limits.ts, and every shard
 * size against the manifest, before a shard is read.
 */
import type { Hash } from 'node:crypto';
import { UserError } from '../common/errors.js';
import { briefJson, isObject, readExactly, resolveShard, type ShardFile } from './loader-files.js';
import { MAX_SHARD_FILES, MAX_TOTAL_WEIGHTS, MAX_WEIGHT_ENTRIES } from './loader-limits.js';

export type WeightRole = 'kernel' | 'recurrent_kernel' | 'bias';

type Encoding = 'float32' | 'float16' | 'uint8' | 'uint16';

const BYTES_PER_VALUE: Record<Encoding, number> = { float32: 4, float16: 2, uint8: 1, uint16: 2 };

/** Maximum number of dimensions of one weight. LSTM, GRU and Dense weights have one or two. */
const MAX_RANK = 8;

interface WeightSpec {
  name: string;
  shape: number[];
  count: number;
  encoding: Encoding;
  /** Affine dequantization of uint8 and uint16 weights. */
  min: number;
  scale: number;
  byteLength: number;
}

/** One decoded weight of the manifest. */
export interface WeightEntry {
  name: string;
  shape: number[];
  values: Float32Array;
}

function describeSpec(groupIndex: number, entryIndex: number): string {
  return `weightsManifest[${groupIndex}].weights[${entryIndex}]`;
}

/** Multiplies the dimensions of a shape, stopping once the product exceeds MAX_TOTAL_WEIGHTS. */
function countValues(shape: number[]): number {
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count > MAX_TOTAL_WEIGHTS) return count;
  }
  return count;
}

function parseEncoding(name: string, spec: Record<string, unknown>): Pick<WeightSpec, 'encoding' | 'min' | 'scale'> {
  const quotedName = briefJson(name);
  if (spec.dtype !== 'float32') {
    throw new UserError(
      `weight ${quotedName} has dtype ${briefJson(spec.dtype)}; LSTM and Dense weights must be float32, stored as float32 ` +
        'or quantized to uint8, uint16 or float16. Re-export the model with float weights.',
    );
  }
  const quantization = spec.quantization;
  if (quantization === undefined) return { encoding: 'float32', min: 0, scale: 1 };
  if (!isObject(quantization)) throw new UserError(`weight ${quotedName} has quantization ${briefJson(quantization)}; expected an object with a dtype.`);
  const { dtype, min, scale } = quantization;
  if (dtype === 'float16') return { encoding: 'float16', min: 0, scale: 1 };
  if (dtype === 'uint8' || dtype === 'uint16') {
    if (typeof min !== 'number' || typeof scale !== 'number' || !Number.isFinite(min) || !Number.isFinite(scale)) {
      throw new UserError(
        `weight ${quotedName} is quantized to ${dtype} but its min ${briefJson(min)} and scale ${briefJson(scale)} are not both finite numbers; ` +
          're-export the model.',
      );
    }
    return { encoding: dtype, min, scale };
  }
  throw new UserError(`weight ${quotedName} has the quantization dtype ${briefJson(dtype)}; rc-compile reads uint8, uint16 and float16 quantization.`);
}

function parseWeightSpec(raw: unknown, groupIndex: number, entryIndex: number): WeightSpec {
  const where = describeSpec(groupIndex, entryIndex);
  if (!isObject(raw)) throw new UserError(`${where} is ${briefJson(raw)}; expected an object with a name, shape and dtype.`);
  const { name, shape } = raw;
  if (typeof name !== 'string' || name === '') throw new UserError(`${where} has the name ${briefJson(name)}; expected a non-empty string.`);
  const validShape =
    Array.isArray(shape) &&
    shape.length <= MAX_RANK &&
    shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0 && d <= MAX_TOTAL_WEIGHTS);
  if (!validShape) {
    throw new UserError(
      `weight ${briefJson(name)} has the shape ${briefJson(shape)}; expected at most ${MAX_RANK} dimensions, ` +
        `each an integer from 0 to ${MAX_TOTAL_WEIGHTS}.`,
    );
  }
  const count = countValues(shape as number[]);
  if (count > MAX_TOTAL_WEIGHTS) {
    throw new UserError(
      `weight ${briefJson(name)} has the shape ${briefJson(shape)}, more than the ${MAX_TOTAL_WEIGHTS} weights rc-compile accepts in a model.`,
    );
  }
  const encoding = parseEncoding(name, raw);
  return { name, shape: shape as number[], count, ...encoding, byteLength: count * BYTES_PER_VALUE[encoding.encoding] };
}

interface GroupPlan {
  index: number;
  shards: ShardFile[];
  specs: WeightSpec[];
  byteLength: number;
}

/** Parses every group of the manifest and checks all limits, paths and shard sizes, without reading a shard. */
function planGroups(manifest: unknown, folder: string): GroupPlan[] {
  if (!Array.isArray(manifest)) throw new UserError('model.json has no weightsManifest list; export the model with its weights.');
  const shardCount = manifest.reduce((sum: number, group) => sum + (isObject(group) && Array.isArray(group.paths) ? group.paths.length : 0), 0);
  const entryCount = manifest.reduce((sum: number, group) => sum + (isObject(group) && Array.isArray(group.weights) ? group.weights.length : 0), 0);
  if (shardCount > MAX_SHARD_FILES || entryCount > MAX_WEIGHT_ENTRIES) {
    throw new UserError(
      `weightsManifest lists ${shardCount} shard files and ${entryCount} weights; rc-compile reads at most ` +
        `${MAX_SHARD_FILES} shard files and ${MAX_WEIGHT_ENTRIES} weights.`,
    );
  }

  let totalValues = 0;
  const plans = manifest.map((group, index): GroupPlan => {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new UserError(`weightsManifest group ${index} needs "paths" (shard file names) and "weights" lists.`);
    }
    const specs = group.weights.map((raw, entryIndex) => parseWeightSpec(raw, index, entryIndex));
    for (const spec of specs) {
      totalValues += spec.count;
      if (totalValues > MAX_TOTAL_WEIGHTS) {
        throw new UserError(`weightsManifest lists more than the ${MAX_TOTAL_WEIGHTS} weights rc-compile accepts in a model.`);
      }
    }
    const paths = group.paths.map((path) => {
      if (typeof path !== 'string') throw new UserError(`weightsManifest group ${index} lists the shard path ${briefJson(path)}; expected a string.`);
      return path;
    });
    return { index, shards: paths.map((path) => resolveShard(folder, path)), specs, byteLength: specs.reduce((sum, spec) => sum + spec.byteLength, 0) };
  });

  for (const plan of plans) {
    const size = plan.shards.reduce((sum, shard) => sum + shard.size, 0);
    if (size !== plan.byteLength) {
      const listed = plan.shards.length === 0 ? 'no shard files' : `shards ${plan.shards.map((shard) => briefJson(shard.listed)).join(', ')}`;
      const verdict = size < plan.byteLength ? 'truncated or missing shards' : 'oversized shards or shards that belong to another model.json';
      throw new UserError(
        `weightsManifest group ${plan.index} (${listed}) contains ${size} bytes but its manifest entries need ${plan.byteLength}; ` +
          `the model has ${verdict}.`,
      );
    }
  }
  return plans;
}

/** IEEE 754 half precision to a number: sign, 5 exponent bits (bias 15), 10 fraction bits. */
export function decodeFloat16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/**
 * Decodes one weight from the group bytes. A DataView reads every value, so a
 * weight may start at any byte offset (a uint8 weight leaves the next one unaligned).
 */
function decodeWeight(view: DataView, offset: number, spec: WeightSpec): Float32Array {
  const values = new Float32Array(spec.count);
  for (let k = 0; k < spec.count; k++) {
    switch (spec.encoding) {
      case 'float32':
        values[k] = view.getFloat32(offset + 4 * k, true);
        break;
      case 'float16':
        values[k] = decodeFloat16(view.getUint16(offset + 2 * k, true));
        break;
      case 'uint8':
        values[k] = view.getUint8(offset + k) * spec.scale + spec.min;
        break;
      case 'uint16':
        values[k] = view.getUint16(offset + 2 * k, true) * spec.scale + spec.min;
        break;
    }
  }
  return values;
}

/**
 * Reads and decodes every weight of weightsManifest. The shards of a group are
 * concatenated in the order of its `paths`, and its weights laid out one after
 * another. `hash` receives the shard bytes in manifest order.
 */
export function readWeights(manifest: unknown, folder: string, hash: Hash): Map<string, WeightEntry> {
  const plans = planGroups(manifest, folder);
  const weights = new Map<string, WeightEntry>();
  for (const plan of plans) {
    const bytes = Buffer.alloc(plan.byteLength);
    let offset = 0;
    for (const shard of plan.shards) {
      readExactly(shard.path, shard.size, bytes, offset);
      offset += shard.size;
    }
    hash.update(bytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    offset = 0;
    for (const spec of plan.specs) {
      if (weights.has(spec.name)) throw new UserError(`weight ${briefJson(spec.name)} appears twice in weightsManifest.`);
      weights.set(spec.name, { name: spec.name, shape: spec.shape, values: decodeWeight(view, offset, spec) });
      offset += spec.byteLength;
    }
  }
  return weights;
}

/** A weight that a layer of the topology needs, with the shape its config implies. */
export interface ExpectedWeight {
  role: WeightRole;
  shape: number[];
}

/** A layer of the topology that has weights, in topology order. */
export interface WeightedLayer {
  name: string;
  className: string;
  weights: ExpectedWeight[];
}

/**
 * Finds the layer and role of a weight name, the way tfjs-layers matches them:
 * "<layer>/<role>" or "<layer>/<cell>/<role>" (Keras RNN cells such as
 * "lstm/lstm_cell_7/kernel", whose cell name need not match the layer name).
 * A leading model-name scope ("sequential/lstm/kernel", written by Keras 3) is
 * accepted too, and a ":0" suffix on the role is dropped.
 */
export function locateWeight(name: string, layerNames: ReadonlySet<string>, modelName: string): { layer: string; role: string } | undefined {
  const segments = name.split('/');
  if (segments.length < 2) return undefined;
  const role = segments[segments.length - 1].replace(/:\d+$/, '');
  const scopes = [segments.slice(0, -1)];
  if (segments.length > 2 && segments[0] === modelName) scopes.push(segments.slice(1, -1));
  for (const scope of scopes) {
    const full = scope.join('/');
    if (layerNames.has(full)) return { layer: full, role };
    if (scope.length >= 2) {
      const withoutCell = scope.slice(0, -1).join('/');
      if (layerNames.has(withoutCell)) return { layer: withoutCell, role };
    }
  }
  return undefined;
}

function formatShape(shape: number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Describes a flat index of a weight as its position in the shape, for example [3, 17]. */
function positionIn(shape: number[], index: number): string {
  const position: number[] = [];
  let rest = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    position.unshift(rest % shape[axis]);
    rest = Math.floor(rest / shape[axis]);
  }
  return formatShape(position);
}

function checkValues(entry: WeightEntry, layer: WeightedLayer, role: WeightRole): void {
  const bad = entry.values.findIndex((value) => !Number.isFinite(value));
  if (bad < 0) return;
  throw new UserError(
    `weight ${briefJson(entry.name)} has the non-finite value ${entry.values[bad]} at index ${bad} ` +
      `(${role} of layer ${briefJson(layer.name)}, position ${positionIn(entry.shape, bad)} in shape ${formatShape(entry.shape)}); ` +
      'retrain or re-export the model.',
  );
}

/**
 * Assigns the manifest's weights to the layers by layer name and role, never by
 * position in the manifest. Every layer must get each expected weight once, in
 * the expected shape and with finite values, and every weight of the manifest
 * must belong to a layer. Returns layer name -> role -> values.
 */
export function assignWeights(
  weights: Map<string, WeightEntry>,
  layers: WeightedLayer[],
  modelName: string,
): Map<string, Map<WeightRole, Float32Array>> {
  const layerNames = new Set(layers.map((layer) => layer.name));
  if (layerNames.size !== layers.length) {
    const repeated = layers.find((layer, index) => layers.findIndex((other) => other.name === layer.name) !== index)!;
    throw new UserError(`two layers with weights are named ${briefJson(repeated.name)}; weights are matched by layer name, so layer names must be unique.`);
  }
  const found = new Map<string, Map<string, WeightEntry[]>>(layers.map((layer) => [layer.name, new Map()]));
  const unmatched: string[] = [];
  for (const entry of weights.values()) {
    const location = locateWeight(entry.name, layerNames, modelName);
    if (location === undefined) {
      unmatched.push(entry.name);
      continue;
    }
    const roles = found.get(location.layer)!;
    roles.set(location.role, [...(roles.get(location.role) ?? []), entry]);
  }

  const assigned = new Map<string, Map<WeightRole, Float32Array>>();
  for (const layer of layers) {
    const roles = found.get(layer.name)!;
    const values = new Map<WeightRole, Float32Array>();
    for (const { role, shape } of layer.weights) {
      const matches = roles.get(role) ?? [];
      if (matches.length === 0) {
        const present = [...weights.keys()].map((name) => briefJson(name)).join(', ') || 'none';
        throw new UserError(`layer ${briefJson(layer.name)} has no ${role} weight in weightsManifest (weights present: ${present}).`);
      }
      if (matches.length > 1) {
        const names = matches.map((entry) => briefJson(entry.name)).join(', ');
        throw new UserError(`layer ${briefJson(layer.name)} has ${matches.length} ${role} weights (${names}); expected one.`);
      }
      const entry = matches[0];
      if (entry.shape.length !== shape.length || entry.shape.some((d, k) => d !== shape[k])) {
        throw new UserError(`weight ${briefJson(entry.name)} has shape ${formatShape(entry.shape)}; the layer config needs ${formatShape(shape)}.`);
      }
      checkValues(entry, layer, role);
      values.set(role, entry.values);
    }
    const expected = new Set<string>(layer.weights.map((weight) => weight.role));
    for (const [role, entries] of roles) {
      if (expected.has(role)) continue;
      const takes = layer.weights.map((weight) => weight.role).join(', ');
      throw new UserError(
        `weight ${briefJson(entries[0].name)} is a ${briefJson(role)} weight of layer ${briefJson(layer.name)} (${layer.className}), ` +
          `which takes only ${takes} as configured; the weights do not match the topology.`,
      );
    }
    assigned.set(layer.name, values);
  }

  if (unmatched.length > 0) {
    const names = [...layerNames].map((name) => briefJson(name)).join(', ');
    const others = unmatched.length > 1 ? ` (and ${unmatched.length - 1} more)` : '';
    throw new UserError(
      `weight ${briefJson(unmatched[0])}${others} in weightsManifest matches no layer of the model ` +
        `(layers with weights: ${names}); the weights do not match the topology.`,
    );
  }
  return assigned;
}
