import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../common/errors.js';
import { loadTwoSequence, type TwoSequenceSet } from '../../trainer/data/two-sequence.js';

const SMALL = { trainCount: 1000, validationCount: 200, testCount: 200 };

function sequenceOf(set: TwoSequenceSet, example: number): number[] {
  const frame = new Float32Array(1);
  return Array.from({ length: set.frames }, (_, step) => {
    frame[0] = 0;
    set.writeFrame(example, step, frame, 0);
    return frame[0];
  });
}

/** Standard normal CDF; erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const polynomial = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - polynomial * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

test('two-sequence splits repeat under a seed', () => {
  const first = loadTwoSequence({ ...SMALL, seed: 4 });
  const second = loadTwoSequence({ ...SMALL, seed: 4 });
  for (const split of ['train', 'validation', 'test'] as const) {
    assert.deepEqual(first[split].values, second[split].values, `${split} values differ`);
    assert.deepEqual(first[split].labels, second[split].labels, `${split} labels differ`);
  }
});

test('two-sequence splits differ across seeds', () => {
  const first = loadTwoSequence({ ...SMALL, seed: 4 });
  const second = loadTwoSequence({ ...SMALL, seed: 5 });
  for (const split of ['train', 'validation', 'test'] as const) {
    const same = first[split].values.filter((value, i) => value === second[split].values[i]).length;
    assert.equal(same, 0, `${split}: ${same} values are equal under seeds 4 and 5`);
  }
  assert.notDeepEqual(first.validation.values, first.test.values);
});

test('two-sequence default sizes and shape', () => {
  const splits = loadTwoSequence();
  assert.equal(splits.train.count, 100_000);
  assert.equal(splits.validation.count, 10_000);
  assert.equal(splits.test.count, 10_000);
  assert.equal(splits.train.frames, 40);
  assert.equal(splits.train.frameSize, 1);
  assert.equal(splits.train.values.length, 100_000 * 40);
});

test('two-sequence deviations span their range', () => {
  const { train } = loadTwoSequence({ trainCount: 20_000, validationCount: 0, testCount: 0, seed: 2 });
  let smallest = Infinity;
  let largest = -Infinity;
  for (const deviation of train.deviations) {
    smallest = Math.min(smallest, deviation);
    largest = Math.max(largest, deviation);
  }
  assert.ok(smallest >= 0.05 - 1e-7, `smallest deviation ${smallest}`);
  assert.ok(largest <= 0.25 + 1e-7, `largest deviation ${largest}`);
  assert.ok(smallest < 0.052, `smallest deviation ${smallest} is far above 0.05`);
  assert.ok(largest > 0.248, `largest deviation ${largest} is far below 0.25`);
  const meanDeviation = train.deviations.reduce((sum, value) => sum + value, 0) / train.count;
  // U(0.05, 0.25) has mean 0.15 and standard deviation 0.2 / sqrt(12).
  assert.ok(Math.abs(meanDeviation - 0.15) < 5 * (0.2 / Math.sqrt(12) / Math.sqrt(train.count)), `mean deviation ${meanDeviation}`);
});

test('two-sequence statistics follow the label', () => {
  const { train } = loadTwoSequence({ trainCount: 20_000, validationCount: 0, testCount: 0, seed: 3 });
  const sums = [0, 0];
  const counts = [0, 0];
  let varianceRatioSum = 0;
  let signAgrees = 0;
  let expectedAgreement = 0;
  for (let example = 0; example < train.count; example++) {
    const values = sequenceOf(train, example);
    const label = train.labels[example];
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
    const deviation = train.deviations[example];
    sums[label] += mean;
    counts[label]++;
    varianceRatioSum += variance / deviation ** 2;
    if ((mean > 0 ? 1 : 0) === label) signAgrees++;
    // The sequence mean is N(+-0.05, s^2 / 40), so its sign matches the label with probability Phi(0.05 sqrt(40) / s).
    expectedAgreement += normalCdf((0.05 * Math.sqrt(values.length)) / deviation);
  }

  const positiveShare = counts[1] / train.count;
  assert.ok(Math.abs(positiveShare - 0.5) < 5 * Math.sqrt(0.25 / train.count), `positive share ${positiveShare}`);
  // Each class mean averages about 400,000 samples of standard deviation below 0.25.
  assert.ok(Math.abs(sums[1] / counts[1] - 0.05) < 0.002, `positive mean ${sums[1] / counts[1]}`);
  assert.ok(Math.abs(sums[0] / counts[0] + 0.05) < 0.002, `negative mean ${sums[0] / counts[0]}`);
  // The sample variance over s^2 has mean 1 and variance 2 / 39 per sequence.
  const varianceRatio = varianceRatioSum / train.count;
  assert.ok(Math.abs(varianceRatio - 1) < 5 * Math.sqrt(2 / 39 / train.count), `mean variance ratio ${varianceRatio}`);
  const agreement = signAgrees / train.count;
  const expected = expectedAgreement / train.count;
  assert.ok(expected > 0.96, `expected sign agreement ${expected}`);
  assert.ok(expected < 0.98, `expected sign agreement ${expected}`);
  assert.ok(Math.abs(agreement - expected) < 5 * Math.sqrt((expected * (1 - expected)) / train.count), `sign agreement ${agreement}, expected ${expected}`);
});

test('two-sequence options reject bad values', () => {
  const cases: [object, string][] = [
    [{ mean: 0 }, 'invalid mean 0: expected a positive number, such as 0.05'],
    [{ minDeviation: 0.3 }, 'invalid maximum deviation 0.25: expected a number at least the minimum deviation 0.3, such as 0.25'],
    [{ frames: 0 }, 'invalid frames 0: expected an integer from 1 to 100000'],
    [{ testCount: 1.5 }, 'invalid test count 1.5: expected an integer from 0 to 100000000'],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => loadTwoSequence(options), (error: unknown) => error instanceof UserError && error.message === message, message);
  }
});
