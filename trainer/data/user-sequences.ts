import { UserError } from '../../common/errors.js';
import type { FrameSequences } from './frames.js';

/** Class indices are stored as uint8, so a task has at most 256 classes. */
export const MAX_CLASSES = 256;

/** The position of a label in its file, for error messages of the form `${prefix}: invalid ${field}: ...`. */
export interface LabelLocation {
  /** The file, and for text files its 1-based line, such as "train.jsonl:12". */
  prefix: string;
  /** Such as 'field "label"' or "labels[11]". */
  field: string;
}

/** Sequences read from one user file, before their labels become class indices. */
export interface ParsedSequences {
  source: string;
  count: number;
  frames: number;
  frameSize: number;
  /** values[(sequence * frames + step) * frameSize + value], row-major. */
  values: Float32Array;
  /** The label of each sequence as text; integer labels in decimal. */
  labels: string[];
  /** True when every label is a non-negative integer, which is then its class index. */
  integerLabels: boolean;
  locateLabel(sequence: number): LabelLocation;
}

/** A growable Float32Array for the values of a file whose length is not known in advance. */
export class ValueBuffer {
  private buffer = new Float32Array(4096);
  length = 0;

  push(value: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Float32Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = value;
  }

  /** Returns a copy of the values pushed so far, trimmed to their length. */
  toArray(): Float32Array {
    return this.buffer.slice(0, this.length);
  }
}

/**
 * Throws a UserError at the first label that cannot become a class index: an integer
 * label above 255, or the 257th distinct string label.
 */
export function checkLabelCount(parsed: ParsedSequences): void {
  if (parsed.integerLabels) {
    parsed.labels.forEach((label, sequence) => {
      if (Number(label) >= MAX_CLASSES) {
        const { prefix, field } = parsed.locateLabel(sequence);
        throw new UserError(
          `${prefix}: invalid ${field}: ${label} is out of range; integer labels are class indices from 0 to ${MAX_CLASSES - 1}, ` +
            'so at most 256 classes are supported',
        );
      }
    });
    return;
  }
  const distinct = new Set<string>();
  parsed.labels.forEach((label, sequence) => {
    distinct.add(label);
    if (distinct.size > MAX_CLASSES) {
      const { prefix, field } = parsed.locateLabel(sequence);
      throw new UserError(
        `${prefix}: too many classes: ${field} ${JSON.stringify(label)} is distinct label number ${distinct.size} in the file, ` +
          `but at most ${MAX_CLASSES} classes are supported; merge classes or split the task`,
      );
    }
  });
}

/** Returns the count with its noun, in the plural unless the count is 1: "1 frame", "2 frames". */
export function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Returns true when `text` is a non-negative integer in plain decimal, without a sign or leading zeros. */
export function isIntegerLabel(text: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(text);
}

/**
 * Parses a decimal number as written in CSV files: digits with an optional sign,
 * fraction and exponent. Returns undefined for anything else, such as "", "0x10",
 * "NaN" or "inf", and for values that overflow to infinity.
 */
export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/** Largest finite float32 value. User data is stored as float32, so a larger magnitude would become infinity. */
export const MAX_FLOAT32 = 3.4028234663852886e38;

/** Describes why a finite number does not fit float32, or returns undefined when it fits. */
export function describeFloat32Overflow(value: number): string | undefined {
  if (Math.abs(value) <= MAX_FLOAT32) return undefined;
  return `${value} overflows float32, whose finite values have a magnitude of at most ${MAX_FLOAT32}; scale the data down`;
}

/** Labelled user sequences in memory; values[(example * frames + step) * frameSize + value]. */
export class UserSequenceSet implements FrameSequences {
  constructor(
    readonly values: Float32Array,
    readonly labels: Uint8Array,
    readonly frames: number,
    readonly frameSize: number,
  ) {}

  get count(): number {
    return this.labels.length;
  }

  writeFrame(example: number, step: number, target: Float32Array, offset: number): void {
    const start = (example * this.frames + step) * this.frameSize;
    target.set(this.values.subarray(start, start + this.frameSize), offset);
  }
}

/** Copies the sequences `indices` of `parsed` into a new set, with their class indices. */
export function selectSequences(parsed: ParsedSequences, classIndices: Uint8Array, indices: ArrayLike<number>): UserSequenceSet {
  const sequenceLength = parsed.frames * parsed.frameSize;
  const values = new Float32Array(indices.length * sequenceLength);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const sequence = indices[i];
    values.set(parsed.values.subarray(sequence * sequenceLength, (sequence + 1) * sequenceLength), i * sequenceLength);
    labels[i] = classIndices[sequence];
  }
  return new UserSequenceSet(values, labels, parsed.frames, parsed.frameSize);
}
