import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadUserData, parseNpySequences, readUserSequences } from '../../trainer/data/user-data.js';
import { assertUserError, makeDataDir, npyBytes, readSequence, writeDataFile } from '../support/data-files.js';

const dir = makeDataDir('npy');

test('npy pair loads with the default labels file', () => {
  const frames = Array.from({ length: 3 * 2 * 2 }, (_, i) => i - 4);
  const path = writeDataFile(dir, 'train.npy', npyBytes('<i2', [3, 2, 2], frames));
  writeDataFile(dir, 'train.labels.npy', npyBytes('<i8', [3], [1, 0, 1]));
  const data = loadUserData({ path, validationShare: 0 });
  assert.deepEqual(data.labels, ['0', '1']);
  assert.equal(data.train.frames, 2);
  assert.equal(data.train.frameSize, 2);
  assert.deepEqual(Array.from(data.train.labels), [1, 0, 1]);
  assert.deepEqual(readSequence(data.train, 0), [[-4, -3], [-2, -1]]);
  assert.deepEqual(readSequence(data.train, 2), [[4, 5], [6, 7]]);
});

test('npy pair loads every frame type', () => {
  for (const descr of ['<f4', '<f8', '|u1', '|i1', '<i2']) {
    const values = [0, 1, 2, 3, 100, 5];
    const parsed = parseNpySequences(npyBytes(descr, [2, 3], values), 'x.npy', npyBytes('|u1', [2], [0, 1]), 'y.npy');
    assert.equal(parsed.frames, 3, descr);
    assert.equal(parsed.frameSize, 1, descr);
    assert.deepEqual(Array.from(parsed.values), values, descr);
    assert.deepEqual(parsed.labels, ['0', '1'], descr);
  }
});

test('npy pair takes an explicit labels path', () => {
  const path = writeDataFile(dir, 'x.npy', npyBytes('<f4', [2, 1, 1], [0.5, 1.5]));
  const labelsPath = writeDataFile(dir, 'y.npy', npyBytes('<i4', [2], [2, 0]));
  const parsed = readUserSequences(path, labelsPath);
  assert.deepEqual(parsed.labels, ['2', '0']);
  assert.deepEqual(Array.from(parsed.values), [0.5, 1.5]);
});

test('npy pair rejects bad arrays by element', () => {
  const frames = npyBytes('<f4', [2, 2, 1], [1, 2, 3, 4]);
  const labels = npyBytes('<i8', [2], [0, 1]);
  const cases: [Uint8Array, Uint8Array, string][] = [
    [npyBytes('<f4', [4], [1, 2, 3, 4]), labels, 'x.npy: invalid shape (4,): expected (sequences, frames, values), or (sequences, frames) for one value per frame'],
    [npyBytes('<f4', [1, 1, 2, 2], [1, 2, 3, 4]), labels, 'x.npy: invalid shape (1, 1, 2, 2): expected (sequences, frames, values), or (sequences, frames) for one value per frame'],
    [npyBytes('<f4', [0, 2, 1], []), npyBytes('<i8', [0], []), 'x.npy: the file contains no sequences; the first dimension of the shape is 0'],
    [npyBytes('<f4', [2, 0, 1], []), labels, 'x.npy: invalid shape (2, 0, 1): every sequence needs at least one frame of at least one value'],
    [frames, npyBytes('<i8', [2, 1], [0, 1]), "y.npy: invalid shape (2, 1) of the labels: expected (sequences,); save labels.reshape(-1)"],
    [frames, npyBytes('<i8', [3], [0, 1, 1]), 'y.npy: the file has 3 labels but x.npy has 2 sequences; pass the labels of that data file'],
    [frames, npyBytes('<f4', [2], [0, 1]), "y.npy: the labels have the element type float32; expected integer class indices, so save labels.astype('int64')"],
    [frames, npyBytes('<i8', [2], [0, -1]), 'y.npy: invalid labels[1]: -1 is out of range; integer labels are class indices from 0 to 255'],
    [frames, npyBytes('<i2', [2], [256, 0]), 'y.npy: invalid labels[0]: 256 is out of range; integer labels are class indices from 0 to 255, so at most 256 classes are supported'],
    [npyBytes('<f4', [2, 2, 1], [1, 2, NaN, 4]), labels, 'x.npy: invalid element [1, 0, 0]: expected a finite number, got NaN'],
    [npyBytes('<f8', [2, 2], [1, 2, 3, -Infinity]), labels, 'x.npy: invalid element [1, 1]: expected a finite number, got -Infinity'],
    [npyBytes('<f8', [2, 2], [1, 2, -1e39, 4]), labels, 'x.npy: invalid element [1, 0]: -1e+39 overflows float32, whose finite values have a magnitude of at most 3.4028234663852886e+38; scale the data down'],
  ];
  for (const [data, labelBytes, message] of cases) assertUserError(() => parseNpySequences(data, 'x.npy', labelBytes, 'y.npy'), message);
});

test('npy pair needs its labels file', () => {
  const path = writeDataFile(dir, 'alone.npy', npyBytes('<f4', [1, 1, 1], [1]));
  assertUserError(
    () => readUserSequences(path),
    `labels file not found: ${dir}/alone.labels.npy; save the labels of a .npy data file under this name or pass the labels path`,
  );
});
