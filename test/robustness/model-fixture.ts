/**
 * Writes small TensorFlow.js layers models (model.json plus weight shards) for
 * the loader robustness tests, with switches for every import variant: weight
 * encodings, shard and group counts, manifest order and weight-name layouts.
 * Weight values are multiples of 1/16 in [-0.5, 0.5], so float16 and the
 * uint8/uint16 encodings below store them exactly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Encoding = 'float32' | 'float16' | 'uint8' | 'uint16';
export type WeightKey = 'lstmKernel' | 'recurrentKernel' | 'lstmBias' | 'denseKernel' | 'denseBias';
export const WEIGHT_KEYS: WeightKey[] = ['lstmKernel', 'recurrentKernel', 'lstmBias', 'denseKernel', 'denseBias'];

/** Affine parameters of the uint8 and uint16 encodings: value = q * scale + min. */
export const QUANTIZATION = { min: -0.5, scale: 1 / 16 };

export interface FixtureOptions {
  inputSize?: number;
  units?: number;
  classes?: number;
  modelName?: string;
  lstmName?: string;
  denseName?: string;
  /** Weight names: "tfjs" lstm/kernel, "keras" lstm/lstm_cell_7/kernel, "keras3" <model>/lstm/lstm_cell/kernel. */
  layout?: 'tfjs' | 'keras' | 'keras3';
  /** Encoding of every weight, or one per weight. */
  encoding?: Encoding | Partial<Record<WeightKey, Encoding>>;
  /** Weight groups of the manifest; weights are dealt to them in manifest order. */
  groups?: number;
  /** Shard files per group; a group's bytes are cut into equal parts at any byte. */
  shardsPerGroup?: number;
  /** Manifest order of the weights. */
  order?: WeightKey[];
  labels?: string[];
  /** Changes the JSON after it is built, before it is written. */
  edit?: (json: Record<string, any>) => void;
  /** Changes a weight's values before encoding (for NaN and Inf cases). */
  values?: Partial<Record<WeightKey, number[]>>;
}

export interface Fixture {
  folder: string;
  modelPath: string;
  /** The values the loader must return for each weight. */
  values: Record<WeightKey, Float32Array>;
  /** Shard file names, per group. */
  shards: string[][];
}

function patternValues(count: number, seed: number): number[] {
  return Array.from({ length: count }, (_, k) => (((k * 7 + seed * 5) % 17) - 8) / 16);
}

function float16Bits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  if (value === Infinity) return 0x7c00;
  if (value === -Infinity) return 0xfc00;
  if (value === 0) return Object.is(value, -0) ? 0x8000 : 0;
  const sign = value < 0 ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  const exponent = Math.floor(Math.log2(magnitude));
  const fraction = magnitude / 2 ** exponent - 1;
  const bits = sign | ((exponent + 15) << 10) | Math.round(fraction * 1024);
  if (decodeHalf(bits) !== value) throw new Error(`fixture value ${value} is not exact in float16`);
  return bits;
}

function decodeHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function encode(values: number[], encoding: Encoding): Uint8Array {
  const size = { float32: 4, float16: 2, uint8: 1, uint16: 2 }[encoding];
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  values.forEach((value, k) => {
    const q = Math.round((value - QUANTIZATION.min) / QUANTIZATION.scale);
    if (encoding === 'float32') view.setFloat32(4 * k, value, true);
    else if (encoding === 'float16') view.setUint16(2 * k, float16Bits(value), true);
    else if (encoding === 'uint8') view.setUint8(k, q);
    else view.setUint16(2 * k, q, true);
  });
  return bytes;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Writes the model into `folder`; returns its paths and the values the loader must read back. */
export function writeFixture(folder: string, options: FixtureOptions = {}): Fixture {
  mkdirSync(folder, { recursive: true });
  const inputSize = options.inputSize ?? 3;
  const units = options.units ?? 2;
  const classes = options.classes ?? 3;
  const modelName = options.modelName ?? 'sequential';
  const lstmName = options.lstmName ?? 'lstm';
  const denseName = options.denseName ?? 'dense';
  const layout = options.layout ?? 'tfjs';
  let lstmScope = lstmName;
  if (layout === 'keras') lstmScope = `${lstmName}/lstm_cell_7`;
  if (layout === 'keras3') lstmScope = `${modelName}/${lstmName}/lstm_cell`;
  const denseScope = layout === 'keras3' ? `${modelName}/${denseName}` : denseName;

  const shapes: Record<WeightKey, number[]> = {
    lstmKernel: [inputSize, 4 * units],
    recurrentKernel: [units, 4 * units],
    lstmBias: [4 * units],
    denseKernel: [units, classes],
    denseBias: [classes],
  };
  const names: Record<WeightKey, string> = {
    lstmKernel: `${lstmScope}/kernel`,
    recurrentKernel: `${lstmScope}/recurrent_kernel`,
    lstmBias: `${lstmScope}/bias`,
    denseKernel: `${denseScope}/kernel`,
    denseBias: `${denseScope}/bias`,
  };
  const encodingOf = (key: WeightKey): Encoding =>
    typeof options.encoding === 'string' ? options.encoding : (options.encoding?.[key] ?? 'float32');

  const values = {} as Record<WeightKey, Float32Array>;
  const raw = {} as Record<WeightKey, number[]>;
  WEIGHT_KEYS.forEach((key, index) => {
    const count = shapes[key].reduce((product, d) => product * d, 1);
    raw[key] = options.values?.[key] ?? patternValues(count, index + 1);
    values[key] = Float32Array.from(raw[key]);
  });

  const order = options.order ?? WEIGHT_KEYS;
  const groupCount = options.groups ?? 1;
  const shardsPerGroup = options.shardsPerGroup ?? 1;
  const groups: WeightKey[][] = Array.from({ length: groupCount }, () => []);
  order.forEach((key, index) => groups[index % groupCount].push(key));

  const shards: string[][] = [];
  const manifest = groups.map((keys, g) => {
    const bytes = concat(keys.map((key) => encode(raw[key], encodingOf(key))));
    const size = Math.ceil(bytes.length / shardsPerGroup);
    const paths: string[] = [];
    for (let s = 0; s < shardsPerGroup; s++) {
      const path = `group${g + 1}-shard${s + 1}of${shardsPerGroup}.bin`;
      writeFileSync(join(folder, path), bytes.subarray(s * size, (s + 1) * size));
      paths.push(path);
    }
    shards.push(paths);
    const weights = keys.map((key) => {
      const encoding = encodingOf(key);
      const entry: Record<string, unknown> = { name: names[key], shape: shapes[key], dtype: 'float32' };
      if (encoding === 'float16') entry.quantization = { dtype: 'float16' };
      if (encoding === 'uint8' || encoding === 'uint16') entry.quantization = { dtype: encoding, ...QUANTIZATION };
      return entry;
    });
    return { paths, weights };
  });

  const lstmConfig = {
    name: lstmName,
    batch_input_shape: [null, 5, inputSize],
    units,
    activation: 'tanh',
    recurrent_activation: 'sigmoid',
    use_bias: true,
    return_sequences: true,
  };
  const json: Record<string, any> = {
    modelTopology: {
      class_name: 'Sequential',
      config: {
        name: modelName,
        layers: [
          { class_name: 'LSTM', config: lstmConfig },
          { class_name: 'Dense', config: { name: denseName, units: classes, activation: 'softmax', use_bias: true } },
        ],
      },
    },
    format: 'layers-model',
    generatedBy: 'rankcode robustness tests',
    convertedBy: null,
    weightsManifest: manifest,
    userDefinedMetadata: {
      rankcode: {
        version: 1,
        threshold: 0.9,
        labels: options.labels ?? Array.from({ length: classes }, (_, k) => `class ${k}`),
        input: { min: -1, max: 1 },
      },
    },
  };
  options.edit?.(json);
  const modelPath = join(folder, 'model.json');
  writeFileSync(modelPath, JSON.stringify(json));
  return { folder, modelPath, values, shards };
}
