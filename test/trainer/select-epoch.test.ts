import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BestEpoch } from '../../trainer/checkpoint.js';
import { isBetter } from '../../trainer/train.js';

function epoch(accuracyAtSpike: number, meanSpikeStep: number, accuracyAtLastFrame: number | null = null): BestEpoch {
  return { epoch: 1, accuracyAtSpike, meanSpikeStep, accuracyAtLastFrame, beta: 0 };
}

test('rc selection prefers accuracy at spike', () => {
  const rc = { mode: 'rc' as const, maxMeanSpikeStep: undefined };
  assert.equal(isBetter(epoch(0.96, 30), epoch(0.95, 15), rc), true);
  assert.equal(isBetter(epoch(0.95, 15), epoch(0.96, 30), rc), false);
  assert.equal(isBetter(epoch(0.95, 14), epoch(0.95, 15), rc), true, 'equal accuracy: the faster epoch wins');
  assert.equal(isBetter(epoch(0.95, 15), epoch(0.95, 15), rc), false, 'a tie keeps the earlier epoch');
});

test('eos selection uses the last frame', () => {
  const eos = { mode: 'eos' as const, maxMeanSpikeStep: undefined };
  assert.equal(isBetter(epoch(0.9, 20, 0.97), epoch(0.96, 30, 0.96), eos), true);
  assert.equal(isBetter(epoch(0.97, 20, 0.95), epoch(0.9, 30, 0.96), eos), false);
});

test('spike step limit ranks epochs', () => {
  const limited = { mode: 'rc' as const, maxMeanSpikeStep: 16 };
  assert.equal(isBetter(epoch(0.95, 16), epoch(0.97, 20), limited), true, 'within the limit beats outside it');
  assert.equal(isBetter(epoch(0.97, 20), epoch(0.95, 16), limited), false, 'outside the limit loses to within it');
  assert.equal(isBetter(epoch(0.96, 12), epoch(0.95, 15), limited), true, 'within the limit: the more accurate wins');
  assert.equal(isBetter(epoch(0.94, 12), epoch(0.95, 15), limited), false, 'within the limit: the less accurate loses');
  assert.equal(isBetter(epoch(0.90, 18), epoch(0.97, 25), limited), true, 'both outside: the faster wins');
  assert.equal(isBetter(epoch(0.97, 25), epoch(0.90, 18), limited), false, 'both outside: the slower loses');
});

test('no validation keeps the later epoch', () => {
  const none: BestEpoch = { epoch: 2, accuracyAtSpike: null, meanSpikeStep: null, accuracyAtLastFrame: null, beta: 0 };
  assert.equal(isBetter(none, epoch(0.9, 3), { mode: 'rc', maxMeanSpikeStep: undefined }), true);
});

test('eos selection reads older checkpoints', () => {
  // A best epoch from a checkpoint without accuracyAtLastFrame: both epochs are compared at spike.
  const eos = { mode: 'eos' as const, maxMeanSpikeStep: undefined };
  const older: BestEpoch = { epoch: 2, accuracyAtSpike: 0.94, meanSpikeStep: 20, beta: 0 };
  assert.equal(isBetter(epoch(0.56, 30, 0.99), older, eos), false);
  assert.equal(isBetter(epoch(0.95, 30, 0.5), older, eos), true);
});
