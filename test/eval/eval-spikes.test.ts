import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DenseFrameSequences } from '../../trainer/data/frames.js';
import {
  accuracyByStep,
  median,
  summarizeAtThreshold,
  summarizeSpikes,
  sweepThresholds,
  traceTrajectories,
  Trajectories,
} from '../../trainer/eval-spikes.js';

/** Builds trajectories from rows of [class, probability] per step. */
function trajectoriesOf(rows: [number, number][][]): Trajectories {
  const trajectories = new Trajectories(rows.length, rows[0].length);
  rows.forEach((row, example) => row.forEach(([topClass, probability], step) => trajectories.set(example, step, topClass, probability)));
  return trajectories;
}

// Three examples of T = 4. At theta 0.9, example 0 crosses at step 2, example 1
// at step 4, and example 2 never. At theta 0.6, they cross at steps 1, 3 and 2.
const ROWS: [number, number][][] = [
  [[1, 0.7], [0, 0.95], [0, 0.99], [0, 0.99]],
  [[2, 0.5], [2, 0.55], [1, 0.8], [1, 0.92]],
  [[0, 0.4], [0, 0.65], [2, 0.85], [2, 0.88]],
];
const LABELS = [0, 1, 2];

test('spike step is the first crossing', () => {
  const trajectories = trajectoriesOf(ROWS);
  assert.deepEqual(trajectories.spikeStep(0, 0.9), { step: 2, spiked: true });
  assert.deepEqual(trajectories.spikeStep(1, 0.9), { step: 4, spiked: true });
  assert.deepEqual(trajectories.spikeStep(2, 0.9), { step: 4, spiked: false });
  assert.deepEqual(trajectories.spikeStep(0, 0.7), { step: 1, spiked: true });
});

test('summary at a threshold', () => {
  const summary = summarizeAtThreshold(trajectoriesOf(ROWS), LABELS, 0.9);
  assert.equal(summary.examples, 3);
  assert.equal(summary.threshold, 0.9);
  // Example 0 predicts 0 at step 2 (right), example 1 predicts 1 at step 4 (right), example 2 predicts 2 at T (right).
  assert.equal(summary.accuracyAtSpike, 1);
  assert.equal(summary.meanSpikeStep, (2 + 4 + 4) / 3);
  assert.equal(summary.medianSpikeStep, 4);
  assert.equal(summary.noSpikeRate, 1 / 3);
  assert.equal(summary.noSpikeCount, 1);
  assert.deepEqual(summary.spikeStepHistogram, [0, 1, 0, 1]);
  assert.equal(summary.framesComputed, 10);
  assert.equal(summary.framesSkippedShare, 1 - 10 / 12);
});

test('summary at a low threshold', () => {
  const summary = summarizeAtThreshold(trajectoriesOf(ROWS), LABELS, 0.6);
  // Spikes at steps 1, 3 and 2 with predictions 1 (wrong), 1 (right) and 0 (wrong).
  assert.equal(summary.accuracyAtSpike, 1 / 3);
  assert.deepEqual(summary.spikeStepHistogram, [1, 1, 1, 0]);
  assert.equal(summary.medianSpikeStep, 2);
  assert.equal(summary.noSpikeCount, 0);
});

test('accuracy of the argmax by step', () => {
  assert.deepEqual(accuracyByStep(trajectoriesOf(ROWS), LABELS), [0, 1 / 3, 1, 1]);
});

test('sweep keeps the order given', () => {
  const sweep = sweepThresholds(trajectoriesOf(ROWS), LABELS, [0.9, 0.6]);
  assert.deepEqual(
    sweep.map((point) => point.theta),
    [0.9, 0.6],
  );
  assert.equal(sweep[0].accuracyAtSpike, 1);
  assert.equal(sweep[1].accuracyAtSpike, 1 / 3);
  assert.equal(sweep[1].meanSpikeStep, 2);
});

test('runtime frame counts override the sum of t_sp', () => {
  const records = [
    { step: 1, spiked: true, correct: true },
    { step: 3, spiked: false, correct: false },
  ];
  const summary = summarizeSpikes(records, 3, 0.95, 5);
  assert.equal(summary.framesComputed, 5);
  assert.equal(summary.framesSkippedShare, 1 - 5 / 6);
  assert.equal(summarizeSpikes(records, 3, 0.95).framesComputed, 4);
});

test('median of odd, even and empty lists', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), 0);
});

test('traces hold nonzero inputs per step', () => {
  // Two examples of 3 frames with 2 values each.
  const values = new Float32Array([1, 0, 0, 0, 0, -2, /* example 1 */ 0, 0, 0, 0, 0, 0]);
  const source = new DenseFrameSequences(values, new Uint8Array([0, 1]), 2, 3);
  const trajectories = trajectoriesOf([
    [[0, 0.5], [0, 0.97], [1, 0.6]],
    [[1, 0.2], [1, 0.3], [1, 0.4]],
  ]);
  const traces = traceTrajectories(trajectories, source, 0.95, 5);
  assert.equal(traces.length, 2);
  assert.deepEqual(traces[0].inputs, [
    [1, 0, 1],
    [3, 1, -2],
  ]);
  assert.equal(traces[0].spikeStep, 2);
  assert.equal(traces[0].spiked, true);
  assert.equal(traces[0].prediction, 0);
  assert.deepEqual(traces[0].topProbability, [0.5, 0.97, 0.6]);
  assert.equal(traces[1].spiked, false);
  assert.equal(traces[1].spikeStep, 3);
  assert.deepEqual(traces[1].inputs, []);
});

test('higher theta never spikes earlier', () => {
  const row = fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.double({ min: 0.3, max: 1, noNaN: true })), { minLength: 5, maxLength: 5 });
  fc.assert(
    fc.property(fc.array(row, { minLength: 1, maxLength: 20 }), fc.double({ min: 0.3, max: 1, noNaN: true }), fc.double({ min: 0.3, max: 1, noNaN: true }), (rows, a, b) => {
      const [low, high] = a <= b ? [a, b] : [b, a];
      const trajectories = trajectoriesOf(rows as [number, number][][]);
      const labels = rows.map(() => 0);
      const [atLow, atHigh] = sweepThresholds(trajectories, labels, [low, high]);
      for (let example = 0; example < rows.length; example++) {
        assert.ok(trajectories.spikeStep(example, low).step <= trajectories.spikeStep(example, high).step);
      }
      assert.ok(atLow.meanSpikeStep <= atHigh.meanSpikeStep);
      assert.ok(atLow.noSpikeRate <= atHigh.noSpikeRate);
    }),
  );
});
