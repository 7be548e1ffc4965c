/**
 * Seeded pseudo-random numbers for weight initialization and shuffling.
 *
 * The generator is mulberry32 (32-bit state, period 2^32), computed in plain
 * JavaScript, so a given seed yields the same numbers on every backend and machine.
 */
/** The state of a SeededRandom, as JSON: the 32-bit state and the cached second Box-Muller sample. */
export interface RandomState {
  state: number;
  spareNormal: number | null;
}

export class SeededRandom {
  private state: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Returns the generator's whole state, for checkpoints. */
  getState(): RandomState {
    return { state: this.state, spareNormal: this.spareNormal ?? null };
  }

  /** Restores a state that getState returned, so the sequence continues exactly where it stopped. */
  setState(saved: RandomState): void {
    this.state = saved.state >>> 0;
    this.spareNormal = saved.spareNormal ?? undefined;
  }

  /** Returns a uniform float in [0, 1). */
  nextFloat(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Returns a uniform integer in [0, limit). */
  nextInt(limit: number): number {
    return Math.floor(this.nextFloat() * limit);
  }

  /** Returns a standard normal sample (Box-Muller transform). */
  nextNormal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    const u = 1 - this.nextFloat();
    const v = this.nextFloat();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `values` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [index: number]: number }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const swap = values[i];
      values[i] = values[j];
      values[j] = swap;
    }
    return values;
  }
}
