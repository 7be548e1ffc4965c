import { UserError } from '../../common/errors.js';
import { SeededRandom } from '../random.js';

/**
 * Random streams of one data seed. Each split draws from its own stream, so the
 * validation and test examples stay the same when only the training count changes.
 */
export const SPLIT_STREAMS = { train: 1, validation: 2, test: 3, shuffle: 4 } as const;

/**
 * Derives the seed of stream `stream` from a user's seed: the murmur3 32-bit
 * finalizer applied to the seed mixed with the stream number. Nearby seeds and
 * streams give unrelated generator states.
 */
export function deriveSeed(seed: number, stream: number): number {
  let hash = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** The examples of each split, as ascending indices into the loaded file. */
export interface SplitIndices {
  train: Uint32Array;
  validation: Uint32Array;
  test: Uint32Array;
}

/**
 * Splits `count` examples at random into training, validation and test examples.
 * The shares are fractions of `count`, rounded to the nearest example; a share
 * above 0 keeps at least one example. Each split lists its examples in file order.
 * Throws a UserError when the training split would be empty.
 */
export function splitByShare(count: number, validationShare: number, testShare: number, seed: number, source: string): SplitIndices {
  const validationCount = shareCount(count, validationShare);
  const testCount = shareCount(count, testShare);
  if (validationCount + testCount >= count) {
    throw new UserError(
      `${source}: a validation share of ${validationShare} and a test share of ${testShare} leave no training sequences out of ${count}; ` +
        'lower the shares or add sequences',
    );
  }
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  new SeededRandom(deriveSeed(seed, SPLIT_STREAMS.shuffle)).shuffle(order);

  const validation = order.slice(0, validationCount).sort();
  const test = order.slice(validationCount, validationCount + testCount).sort();
  const train = order.slice(validationCount + testCount).sort();
  return { train, validation, test };
}

function shareCount(count: number, share: number): number {
  if (share <= 0) return 0;
  return Math.max(1, Math.round(share * count));
}

/** Throws a UserError unless `value` is an integer from `min` to `max`. */
export function checkIntegerOption(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UserError(`invalid ${name} ${value}: expected an integer from ${min} to ${max}`);
  }
}

/** Throws a UserError unless `value` is a finite number inside the given bounds. */
export function checkNumberOption(name: string, value: number, min: number, max: number, expected: string): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UserError(`invalid ${name} ${value}: expected ${expected}`);
  }
}

/** Throws a UserError unless `seed` is an unsigned 32-bit integer. */
export function checkSeed(seed: number): void {
  checkIntegerOption('seed', seed, 0, 0xffffffff);
}
