import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATA_TASKS, loadTaskData, type DataTask } from '../../trainer/data/tasks.js';
import { assertUserError, makeDataDir, writeDataFile } from '../support/data-files.js';

const SMALL = { trainCount: 300, validationCount: 50, testCount: 40 };

test('synthetic tasks have one sigmoid output', () => {
  for (const task of ['sequence-spotting', 'two-sequence'] as const) {
    const data = loadTaskData(task, { ...SMALL, seed: 2 });
    assert.deepEqual(data.labels, ['negative', 'positive'], task);
    assert.equal(data.output, 'sigmoid', task);
    assert.deepEqual([data.train.count, data.validation.count, data.test.count], [300, 50, 40], task);
    assert.equal(data.train.frameSize, 1, task);
    assert.ok(data.train.labels.every((label) => label <= 1), task);
  }
  assert.equal(loadTaskData('sequence-spotting', SMALL).train.frames, 25);
  assert.equal(loadTaskData('two-sequence', SMALL).train.frames, 40);
});

test('user task loads a file', () => {
  const dir = makeDataDir('tasks');
  const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ label: ['up', 'down', 'left'][i % 3], frames: [[i, 1], [i, 2]] }));
  const path = writeDataFile(dir, 'moves.jsonl', lines.join('\n'));
  const data = loadTaskData('user', { path, validationShare: 0.2, seed: 5 });
  assert.deepEqual(data.labels, ['down', 'left', 'up']);
  assert.equal(data.output, 'softmax');
  assert.deepEqual([data.train.count, data.validation.count, data.test.count], [8, 2, 0]);
  assert.equal(data.train.frameSize, 2);
});

test('task options are checked per task', () => {
  const cases: [DataTask, object, string][] = [
    ['two-sequence', { runLength: 4 }, 'option runLength does not apply to the task two-sequence, only to sequence-spotting; leave it out'],
    ['user', { frames: 10, path: 'a.jsonl' }, 'option frames does not apply to the task user, only to sequence-spotting and two-sequence; leave it out'],
    ['sequence-spotting', { colour: 'red' }, 'unknown option colour for the task sequence-spotting; expected one of seed, trainCount, validationCount, testCount, frames, runLength, rate'],
    ['user', {}, 'missing data file: the user task needs the path of a .jsonl, .csv or .npy file; docs/DATA_FORMAT.md describes the formats'],
    ['temporal-mnist' as DataTask, {}, 'invalid task "temporal-mnist": expected one of sequence-spotting, two-sequence, user'],
  ];
  for (const [task, options, message] of cases) assertUserError(() => loadTaskData(task, options), message);
  assert.equal(loadTaskData('two-sequence', { ...SMALL, runLength: undefined }).train.count, 300, 'undefined options are ignored');
  assert.deepEqual([...DATA_TASKS], ['sequence-spotting', 'two-sequence', 'user']);
});
