/**
 * Timing helpers of the WebAssembly benchmarks. Each runtime times short
 * blocks in rounds that alternate between the runtimes, so that load from
 * other processes falls on every runtime alike, and a figure is the median
 * over all blocks. Blocks last about the same time for every runtime, because
 * a long block is more often cut by the scheduler than a short one. Garbage
 * collection pauses, which the median leaves out, are recorded apart.
 */
import { PerformanceObserver } from 'node:perf_hooks';

/** Something to time. measureRound() times one round of blocks and returns microseconds per unit (frame or sequence) of each block. */
export interface Contender {
  name: string;
  /** Units per timed block; calibrateBlocks() sets it after the warm-up round. */
  blockUnits: number;
  /** Maximum units of a block. */
  maxBlockUnits: number;
  measureRound(): number[];
}

export interface Summary {
  median: number;
  /** First and third quartile, microseconds per unit. */
  lower: number;
  upper: number;
  /** Number of timed blocks. */
  count: number;
}

/** Time span of one contender's round, milliseconds on the performance.now() clock. */
interface RoundWindow {
  name: string;
  start: number;
  end: number;
  units: number;
}

export interface RoundsResult {
  /** Microseconds per unit of each timed block, by contender name. */
  samples: Map<string, number[]>;
  /** Mean garbage collection pause per unit, microseconds, by contender name. */
  gcPerUnit: Map<string, number>;
}

/** Timed blocks per round even when they take longer than the round's minimum time. */
const MINIMUM_BLOCKS = 3;

/**
 * Calls `body`, which computes `unitsPerCall` units, in timed blocks until
 * `minimumMs` have passed and at least 3 blocks ran. `prepare`, when given,
 * runs before each block outside the timed span. Returns microseconds per unit
 * of each block.
 */
export function timeBlocks(body: () => void, unitsPerCall: number, minimumMs: number, prepare?: () => void): number[] {
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < minimumMs || samples.length < MINIMUM_BLOCKS) {
    prepare?.();
    const blockStart = performance.now();
    body();
    samples.push(((performance.now() - blockStart) * 1000) / unitsPerCall);
  }
  return samples;
}

/**
 * Times a stream of `frameCount` frames in blocks of `blockUnits` consecutive
 * frames. `step(k)` computes frame k. A block starts where the previous one
 * ended, and when too few frames remain, `reset()` starts the stream over at
 * frame 0 outside the timed span.
 */
export function streamContender(name: string, frameCount: number, minimumMs: number, reset: () => void, step: (index: number) => void): Contender {
  let cursor = frameCount;
  const contender: Contender = {
    name,
    blockUnits: frameCount,
    maxBlockUnits: frameCount,
    measureRound: () => {
      const prepare = () => {
        if (cursor + contender.blockUnits <= frameCount) return;
        reset();
        cursor = 0;
      };
      const body = () => {
        const end = cursor + contender.blockUnits;
        for (let k = cursor; k < end; k++) step(k);
        cursor = end;
      };
      return timeBlocks(body, contender.blockUnits, minimumMs, prepare);
    },
  };
  return contender;
}

/** Sets each contender's block size from its warm-up samples so that a block lasts about `blockMs`. */
export function calibrateBlocks(contenders: Contender[], warmUpSamples: Map<string, number[]>, blockMs: number): void {
  for (const contender of contenders) {
    const perUnit = summarize(warmUpSamples.get(contender.name) ?? []).median;
    const units = Math.round((blockMs * 1000) / perUnit);
    contender.blockUnits = Math.min(contender.maxBlockUnits, Math.max(1, units));
  }
}

/** Runs one round of every contender; returns their samples by name. */
export function warmUp(contenders: Contender[]): Map<string, number[]> {
  return new Map(contenders.map((contender) => [contender.name, contender.measureRound()]));
}

/**
 * Runs `rounds` rounds. Each round measures every contender once, in an order
 * rotated by one per round, so no contender always runs first or last.
 * Garbage collection pauses (V8's "gc" performance entries) are charged to
 * the contender whose round they fall in. The samples of a contender that
 * runs in another process, such as the C driver, see none of them.
 */
export async function measureInRounds(contenders: Contender[], rounds: number): Promise<RoundsResult> {
  const pauses: { start: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push({ start: entry.startTime, duration: entry.duration });
  });
  observer.observe({ entryTypes: ['gc'] });

  const samples = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
  const windows: RoundWindow[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(round + k) % contenders.length];
      const start = performance.now();
      const roundSamples = contender.measureRound();
      windows.push({ name: contender.name, start, end: performance.now(), units: roundSamples.length * contender.blockUnits });
      samples.get(contender.name)?.push(...roundSamples);
    }
  }

  // Node delivers the gc entries on a later turn of the event loop.
  await new Promise((resolve) => setTimeout(resolve, 100));
  observer.disconnect();
  const gcPerUnit = new Map<string, number>();
  for (const contender of contenders) {
    const own = windows.filter((window) => window.name === contender.name);
    const pauseMs = pauses
      .filter((pause) => own.some((window) => pause.start >= window.start && pause.start < window.end))
      .reduce((sum, pause) => sum + pause.duration, 0);
    const units = own.reduce((sum, window) => sum + window.units, 0);
    gcPerUnit.set(contender.name, (pauseMs * 1000) / units);
  }
  return { samples, gcPerUnit };
}

/** Linear-interpolated quantile of sorted values, q in [0, 1]. */
function quantile(sorted: number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

export function summarize(samples: number[]): Summary {
  if (samples.length === 0) throw new Error('no timed blocks to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), lower: quantile(sorted, 0.25), upper: quantile(sorted, 0.75), count: sorted.length };
}

/** Formats microseconds with 0, 1 or 2 decimals: 3 significant digits below 1000. */
export function formatMicroseconds(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
