/** Frame generators of the golden cases: int8 frames from a seeded random source. */
import type { GoldenRandom } from './random-model.js';

export type FrameSource = (random: GoldenRandom, inputSize: number, frame: number) => number[];

export const uniform: FrameSource = (random, size) => Array.from({ length: size }, () => random.nextInt(-127, 127));
export const zeros: FrameSource = (_, size) => new Array<number>(size).fill(0);
export const fullScale: FrameSource = (_, size) => new Array<number>(size).fill(127);
export const negativeFullScale: FrameSource = (_, size) => new Array<number>(size).fill(-127);
export const alternatingExtremes: FrameSource = (_, size, frame) =>
  Array.from({ length: size }, (__, j) => ((frame + j) % 2 === 0 ? 127 : -127));
export const sparseBinary: FrameSource = (random, size) => Array.from({ length: size }, () => (random.nextFloat() < 0.3 ? 127 : 0));
/** Every int8 value, -128 included, which the runtimes accept though quantizeInput never produces it. */
export const fullInt8Range: FrameSource = (random, size) => Array.from({ length: size }, () => random.nextInt(-128, 127));
