/**
 * Reads the rank-coding settings from userDefinedMetadata.rankcode of model.json
 * and fills in the defaults for a model exported without them (for example a
 * Keras model converted by tensorflowjs_converter).
 */
import { UserError } from '../common/errors.js';
import { log } from '../common/log.js';
import type { RankcodeSettings } from './float-model.js';

export const DEFAULT_THRESHOLD = 0.95;
const MIN_THRESHOLD = 2 ** -15;
export const DEFAULT_INPUT_RANGE = { min: -1, max: 1 };
const METADATA_VERSION = 1;
const KNOWN_KEYS = new Set(['version', 'task', 'mode', 'threshold', 'beta', 'labels', 'frames', 'frameShape', 'input']);

export interface ShapeFacts {
  classes: number;
  inputSize: number;
  /** Frames per sequence from the input shape, or null. */
  frames: number | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(key: string, value: unknown, expected: string): UserError {
  return new UserError(`userDefinedMetadata.rankcode.${key} is ${JSON.stringify(value)}; expected ${expected}. Fix it in model.json or re-export the model.`);
}

function readThreshold(value: unknown): number {
  if (value === undefined) return DEFAULT_THRESHOLD;
  // The integer spike bound floor(2^16 / theta) must fit in int32, which needs theta > 2^-15 (theta = 2^-15 gives 2^31).
  if (typeof value !== 'number' || !(value > MIN_THRESHOLD && value <= 1)) throw invalid('threshold', value, 'a number in (2^-15, 1]');
  return value;
}

function readLabels(value: unknown, classes: number): string[] {
  if (value === undefined) return Array.from({ length: classes }, (_, k) => String(k));
  if (!Array.isArray(value) || value.length !== classes || !value.every((label) => typeof label === 'string')) {
    throw invalid('labels', value, `${classes} strings, one per output class`);
  }
  return value as string[];
}

function readFrames(value: unknown, shapeFrames: number | null): number {
  if (value === undefined) return shapeFrames ?? 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw invalid('frames', value, 'a positive integer');
  if (shapeFrames !== null && shapeFrames !== value) {
    log.warn(`userDefinedMetadata.rankcode.frames is ${value} but the input shape has ${shapeFrames} frames; using ${value}.`);
  }
  return value;
}

function checkFrameShape(value: unknown, inputSize: number): void {
  if (value === undefined) return;
  const dims = Array.isArray(value) ? value : [];
  const valid = dims.length > 0 && dims.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0);
  const size = dims.reduce((product: number, d) => product * (d as number), 1);
  if (!valid || size !== inputSize) throw invalid('frameShape', value, `dimensions whose product is the ${inputSize} input values per frame`);
}

function readInputRange(value: unknown): { min: number; max: number } {
  if (value === undefined) return DEFAULT_INPUT_RANGE;
  const range = isObject(value) ? value : {};
  const { min, max } = range;
  if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max) || !(max > min)) {
    throw invalid('input', value, 'an object with finite numbers min < max, the range of real input values');
  }
  return { min, max };
}

/**
 * Rejects an invalid userDefinedMetadata.rankcode.input, for readers that take
 * no other settings from this loader, such as rc-eval's TensorFlow.js forward pass.
 */
export function checkInputRange(userDefinedMetadata: unknown): void {
  const metadata = isObject(userDefinedMetadata) ? userDefinedMetadata.rankcode : undefined;
  if (isObject(metadata)) readInputRange(metadata.input);
}

function optionalString(value: unknown, key: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(key, value, 'a string');
  return value;
}

/** Parses userDefinedMetadata (the whole object) into settings; throws UserError on invalid values. */
export function parseRankcodeSettings(userDefinedMetadata: unknown, facts: ShapeFacts): RankcodeSettings {
  const metadata = isObject(userDefinedMetadata) ? userDefinedMetadata.rankcode : undefined;
  if (metadata === undefined) {
    log.warn(
      `model.json has no userDefinedMetadata.rankcode; using threshold ${DEFAULT_THRESHOLD}, labels 0..${facts.classes - 1} ` +
        `and input range [${DEFAULT_INPUT_RANGE.min}, ${DEFAULT_INPUT_RANGE.max}].`,
    );
  } else if (!isObject(metadata)) {
    throw new UserError(`userDefinedMetadata.rankcode is ${JSON.stringify(metadata)}; expected an object.`);
  }
  const fields = metadata ?? {};
  if (fields.version !== undefined && fields.version !== METADATA_VERSION) {
    throw invalid('version', fields.version, `${METADATA_VERSION}, the version this compiler reads; update rankcode`);
  }
  const unknown = Object.keys(fields).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) log.warn(`ignoring unknown keys in userDefinedMetadata.rankcode: ${unknown.join(', ')}.`);

  checkFrameShape(fields.frameShape, facts.inputSize);
  const range = readInputRange(fields.input);
  const beta = fields.beta;
  if (beta !== undefined && (typeof beta !== 'number' || !Number.isFinite(beta))) throw invalid('beta', beta, 'a finite number');
  return {
    threshold: readThreshold(fields.threshold),
    labels: readLabels(fields.labels, facts.classes),
    frames: readFrames(fields.frames, facts.frames),
    inputMin: range.min,
    inputMax: range.max,
    inputRangeStated: fields.input !== undefined,
    task: optionalString(fields.task, 'task'),
    mode: optionalString(fields.mode, 'mode'),
    beta: beta as number | undefined,
  };
}
