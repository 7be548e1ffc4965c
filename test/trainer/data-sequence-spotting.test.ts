import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../common/errors.js';
import {
  decideSpotting,
  generateSequenceSpotting,
  loadSequenceSpotting,
  positiveProbability,
  type SequenceSpottingSet,
} from '../../trainer/data/sequence-spotting.js';

const SMALL = { trainCount: 2000, validationCount: 500, testCount: 500 };

function framesOf(set: SequenceSpottingSet, example: number): number[] {
  const frame = new Float32Array(1);
  const values: number[] = [];
  for (let step = 0; step < set.frames; step++) {
    frame[0] = 0;
    set.writeFrame(example, step, frame, 0);
    values.push(frame[0]);
  }
  return values;
}

/** Brute force: the 1-based end step of the first window of `runLength` equal frames, or 0. */
function firstRunEnd(frames: number[], runLength: number): number {
  for (let end = runLength; end <= frames.length; end++) {
    const window = frames.slice(end - runLength, end);
    if (window.every((value) => value === window[0])) return end;
  }
  return 0;
}

/** Brute force: whether some choice of the frames after `prefix` completes a run. */
function runStillPossible(prefix: number[], frames: number, runLength: number): boolean {
  const free = frames - prefix.length;
  // Completing the sequence with `runLength` equal frames always makes a run.
  if (free >= runLength) return true;
  for (let tail = 0; tail < 1 << free; tail++) {
    const sequence = [...prefix];
    for (let i = 0; i < free; i++) sequence.push((tail >> i) & 1);
    if (firstRunEnd(sequence, runLength) > 0) return true;
  }
  return false;
}

function bruteDecisionStep(frames: number[], runLength: number): number {
  const end = firstRunEnd(frames, runLength);
  if (end > 0) return end;
  for (let step = 1; step <= frames.length; step++) {
    if (!runStillPossible(frames.slice(0, step), frames.length, runLength)) return step;
  }
  throw new Error('a negative sequence must be decided by its last frame');
}

test('spotting splits repeat under a seed', () => {
  const first = loadSequenceSpotting({ ...SMALL, seed: 7 });
  const second = loadSequenceSpotting({ ...SMALL, seed: 7 });
  for (const split of ['train', 'validation', 'test'] as const) {
    assert.deepEqual(first[split].bits, second[split].bits, `${split} frames differ`);
    assert.deepEqual(first[split].labels, second[split].labels, `${split} labels differ`);
  }
});

test('spotting splits differ across seeds', () => {
  const first = loadSequenceSpotting({ ...SMALL, seed: 7 });
  const second = loadSequenceSpotting({ ...SMALL, seed: 8 });
  for (const split of ['train', 'validation', 'test'] as const) {
    let same = 0;
    for (let i = 0; i < first[split].count; i++) if (first[split].bits[i] === second[split].bits[i]) same++;
    assert.ok(same < 5, `${split}: ${same} of ${first[split].count} sequences are the same under seeds 7 and 8`);
  }
});

test('spotting splits are distinct and independent', () => {
  const small = loadSequenceSpotting({ ...SMALL, seed: 3 });
  const larger = loadSequenceSpotting({ ...SMALL, seed: 3, trainCount: 3000 });
  assert.deepEqual(larger.validation.bits, small.validation.bits);
  assert.deepEqual(larger.test.bits, small.test.bits);
  assert.deepEqual(larger.train.bits.subarray(0, 2000), small.train.bits);
  assert.notDeepEqual(small.validation.bits, small.test.bits);
});

test('spotting default sizes and shape', () => {
  const splits = loadSequenceSpotting();
  assert.equal(splits.train.count, 100_000);
  assert.equal(splits.validation.count, 10_000);
  assert.equal(splits.test.count, 10_000);
  assert.equal(splits.train.frames, 25);
  assert.equal(splits.train.frameSize, 1);
});

test('spotting labels match a brute-force scan', () => {
  const cases = [
    { frames: 25, runLength: 5, rate: 0.5 },
    { frames: 25, runLength: 5, rate: 0.2 },
    { frames: 12, runLength: 3, rate: 0.5 },
    { frames: 32, runLength: 7, rate: 0.5 },
  ];
  for (const { frames, runLength, rate } of cases) {
    const set = generateSequenceSpotting(3000, 11, frames, runLength, rate);
    let positives = 0;
    for (let example = 0; example < set.count; example++) {
      const values = framesOf(set, example);
      assert.ok(values.every((value) => value === 0 || value === 1));
      const expected = firstRunEnd(values, runLength) > 0 ? 1 : 0;
      assert.equal(set.labels[example], expected, `label of ${values.join('')} with run length ${runLength}`);
      positives += expected;
    }
    assert.ok(positives > 0, `T ${frames}, L ${runLength}, rate ${rate}: no positives`);
    assert.ok(positives < set.count, `T ${frames}, L ${runLength}, rate ${rate}: no negatives`);
  }
});

test('spotting decision step is the earliest possible', () => {
  for (const { frames, runLength, rate } of [
    { frames: 25, runLength: 5, rate: 0.5 },
    { frames: 10, runLength: 4, rate: 0.5 },
    { frames: 25, runLength: 5, rate: 0.1 },
  ]) {
    const set = generateSequenceSpotting(2000, 5, frames, runLength, rate);
    for (let example = 0; example < set.count; example++) {
      const values = framesOf(set, example);
      const step = set.earliestDecisionStep(example);
      assert.equal(step, bruteDecisionStep(values, runLength), `decision step of ${values.join('')} with run length ${runLength}`);
      if (set.labels[example] === 1) assert.ok(step >= runLength);
    }
  }
});

test('spotting decisions of known sequences', () => {
  const bitsOf = (text: string) => [...text].reduce((word, char, step) => (char === '1' ? word | (1 << step) : word), 0);
  assert.deepEqual(decideSpotting(bitsOf('0110000101'), 10, 4), { label: 1, step: 7 });
  assert.deepEqual(decideSpotting(bitsOf('0110100110'), 10, 4), { label: 0, step: 8 });
  assert.deepEqual(decideSpotting(bitsOf('1111100000'), 10, 5), { label: 1, step: 5 });
  assert.deepEqual(decideSpotting(bitsOf('1010101010'), 10, 5), { label: 0, step: 7 });
  assert.deepEqual(decideSpotting(0xffffffff, 32, 32), { label: 1, step: 32 });
});

test('spotting writes only into its range', () => {
  const set = generateSequenceSpotting(50, 2, 25, 5, 0.5);
  const target = new Float32Array(5).fill(0);
  for (let example = 0; example < set.count; example++) {
    for (let step = 0; step < set.frames; step++) {
      target.fill(0);
      set.writeFrame(example, step, target, 2);
      assert.deepEqual(Array.from(target), [0, 0, set.frameValue(example, step), 0, 0]);
    }
  }
});

test('positive probability matches enumeration', () => {
  for (const { frames, runLength, rate } of [
    { frames: 14, runLength: 5, rate: 0.5 },
    { frames: 14, runLength: 4, rate: 0.3 },
    { frames: 9, runLength: 1, rate: 0.5 },
    { frames: 9, runLength: 9, rate: 0.7 },
  ]) {
    let expected = 0;
    for (let bits = 0; bits < 1 << frames; bits++) {
      const values = Array.from({ length: frames }, (_, step) => (bits >> step) & 1);
      const ones = values.reduce((sum, value) => sum + value, 0);
      if (firstRunEnd(values, runLength) > 0) expected += rate ** ones * (1 - rate) ** (frames - ones);
    }
    const computed = positiveProbability(frames, runLength, rate);
    assert.ok(Math.abs(computed - expected) < 1e-12, `T ${frames}, L ${runLength}, rate ${rate}: ${computed} vs ${expected}`);
  }
  // 16 fair coin flips contain a run of 5 equal flips in 24,398 of the 65,536 outcomes (counted separately in Python).
  assert.ok(Math.abs(positiveProbability(16, 5, 0.5) - 24398 / 65536) < 1e-12);
});

test('spotting class balance matches the exact share', () => {
  const expected = positiveProbability(25, 5, 0.5);
  // 2 * 7,555,935 of the 2^25 fair sequences have no run of 5 (counted separately in Python), so the share is 9,221,281 / 2^24.
  assert.ok(Math.abs(expected - 9_221_281 / 2 ** 24) < 1e-12, `exact positive share ${expected}`);
  const { train } = loadSequenceSpotting({ trainCount: 40_000, validationCount: 0, testCount: 0, seed: 9 });
  const share = train.labels.reduce((sum, label) => sum + label, 0) / train.count;
  const sigma = Math.sqrt((expected * (1 - expected)) / train.count);
  assert.ok(Math.abs(share - expected) < 5 * sigma, `positive share ${share}, exact ${expected}, sigma ${sigma}`);
});

test('spotting frame rate matches the option', () => {
  for (const rate of [0.5, 0.2]) {
    const set = generateSequenceSpotting(4000, 13, 25, 5, rate);
    let ones = 0;
    for (let example = 0; example < set.count; example++) {
      for (let step = 0; step < set.frames; step++) ones += set.frameValue(example, step);
    }
    const frames = set.count * set.frames;
    const sigma = Math.sqrt((rate * (1 - rate)) / frames);
    assert.ok(Math.abs(ones / frames - rate) < 5 * sigma, `share of 1 frames ${ones / frames} at rate ${rate}`);
  }
});

test('spotting options reject bad values', () => {
  const cases: [object, string][] = [
    [{ frames: 33 }, 'invalid frames 33: expected an integer from 1 to 32'],
    [{ frames: 10, runLength: 11 }, 'invalid run length 11: expected an integer from 1 to 10'],
    [{ rate: 1.5 }, 'invalid rate 1.5: expected a probability from 0 to 1, such as 0.5'],
    [{ seed: -1 }, 'invalid seed -1: expected an integer from 0 to 4294967295'],
    [{ trainCount: 0 }, 'invalid training count 0: expected an integer from 1 to 100000000'],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => loadSequenceSpotting(options), (error: unknown) => error instanceof UserError && error.message === message, message);
  }
});
