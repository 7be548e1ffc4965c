/**
 * A set of labelled frame sequences, each `frames` steps of `frameSize` values.
 * Training and evaluation build their input matrices from it on the CPU, one
 * (example, step) row at a time, so only the frames that are computed are built.
 */
export interface FrameSequences {
  readonly count: number;
  readonly frames: number;
  readonly frameSize: number;
  /** Class index of each example. */
  readonly labels: Uint8Array;
  /**
   * Writes frame `step` (0-based) of example `example` into
   * `target[offset .. offset + frameSize)`. The range must be zero on entry:
   * sparse sources write only their nonzero values.
   */
  writeFrame(example: number, step: number, target: Float32Array, offset: number): void;
}

/** A dense in-memory FrameSequences: values[example][step][value], row-major. */
export class DenseFrameSequences implements FrameSequences {
  readonly frameSize: number;

  constructor(
    readonly values: Float32Array,
    readonly labels: Uint8Array,
    readonly count: number,
    readonly frames: number,
  ) {
    this.frameSize = values.length / (count * frames);
    if (!Number.isInteger(this.frameSize) || labels.length !== count) {
      throw new Error(`internal error: ${values.length} values and ${labels.length} labels do not fit ${count} examples of ${frames} frames`);
    }
  }

  writeFrame(example: number, step: number, target: Float32Array, offset: number): void {
    const start = (example * this.frames + step) * this.frameSize;
    target.set(this.values.subarray(start, start + this.frameSize), offset);
  }
}

/**
 * Builds the [rows, frameSize] input matrix of the given (example, step) pairs.
 * Row r is frame `steps[r]` of example `examples[r]`.
 */
export function buildFrameMatrix(source: FrameSequences, examples: ArrayLike<number>, steps: ArrayLike<number>): Float32Array {
  const matrix = new Float32Array(examples.length * source.frameSize);
  for (let row = 0; row < examples.length; row++) {
    source.writeFrame(examples[row], steps[row], matrix, row * source.frameSize);
  }
  return matrix;
}

/** The first `count` examples of another FrameSequences, without copying. */
export class FirstSequences implements FrameSequences {
  readonly frames: number;
  readonly frameSize: number;
  readonly labels: Uint8Array;

  constructor(
    readonly source: FrameSequences,
    readonly count: number,
  ) {
    if (!Number.isInteger(count) || count < 0 || count > source.count) {
      throw new Error(`internal error: cannot keep ${count} of ${source.count} examples`);
    }
    this.frames = source.frames;
    this.frameSize = source.frameSize;
    this.labels = source.labels.subarray(0, count);
  }

  writeFrame(example: number, step: number, target: Float32Array, offset: number): void {
    this.source.writeFrame(example, step, target, offset);
  }
}

/** Returns the first `count` examples of `source`, or `source` itself when `count` is undefined or not smaller. */
export function firstSequences(source: FrameSequences, count: number | undefined): FrameSequences {
  return count === undefined || count >= source.count ? source : new FirstSequences(source, count);
}

/** Returns the smallest and the largest value of every frame of `source`; { min: 0, max: 0 } when it has no examples. */
export function valueRange(source: FrameSequences): { min: number; max: number } {
  if (source.count === 0) return { min: 0, max: 0 };
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const frame = new Float32Array(source.frameSize);
  for (let example = 0; example < source.count; example++) {
    for (let step = 0; step < source.frames; step++) {
      frame.fill(0);
      source.writeFrame(example, step, frame, 0);
      for (const value of frame) {
        if (value < min) min = value;
        if (value > max) max = value;
      }
    }
  }
  return { min, max };
}
