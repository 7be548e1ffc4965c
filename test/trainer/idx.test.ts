import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { UserError } from '../../common/errors.js';
import { parseIdx, readIdxFile } from '../../trainer/data/idx.js';
import { defaultMnistDir } from '../../trainer/data/temporal-mnist.js';

/** Builds an IDX file of unsigned bytes with the given dimensions and values. */
function idxBytes(dims: number[], values: number[], type = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((dim, i) => view.setUint32(4 + 4 * i, dim, false));
  return new Uint8Array([...header, ...values]);
}

function assertUserError(action: () => unknown, pattern: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

test('parseIdx reads dims and values', () => {
  const parsed = parseIdx(idxBytes([2, 3], [1, 2, 3, 4, 5, 6]), 'small.idx');
  assert.deepEqual(parsed.dims, [2, 3]);
  assert.deepEqual(Array.from(parsed.data), [1, 2, 3, 4, 5, 6]);
  assert.equal(parsed.source, 'small.idx');
});

test('parseIdx rejects a bad magic number', () => {
  const bytes = idxBytes([1], [7]);
  bytes[0] = 0x1f;
  assertUserError(() => parseIdx(bytes, 'bad.idx'), /^bad\.idx: invalid IDX magic number.*0x1f/);
});

test('parseIdx rejects other element types', () => {
  assertUserError(() => parseIdx(idxBytes([1], [0, 0, 0, 0], 0x0d), 'floats.idx'), /floats\.idx: unsupported IDX element type float32/);
});

test('parseIdx rejects a truncated header', () => {
  const bytes = idxBytes([2, 3], []).subarray(0, 9);
  assertUserError(() => parseIdx(bytes, 'short.idx'), /short\.idx: .*shorter than the 12-byte header for 2 dimensions/);
  assertUserError(() => parseIdx(new Uint8Array([0, 0]), 'tiny.idx'), /tiny\.idx: .*shorter than the 4-byte header/);
});

test('parseIdx rejects a size mismatch', () => {
  assertUserError(() => parseIdx(idxBytes([2, 3], [1, 2, 3, 4, 5]), 'cut.idx'), /cut\.idx: .*\[2, 3\] = 6 values but the file contains 5 data bytes/);
  assertUserError(() => parseIdx(idxBytes([1], [1, 2]), 'long.idx'), /long\.idx: .*1 values but the file contains 2 data bytes/);
});

test('parseIdx rejects zero dimensions', () => {
  assertUserError(() => parseIdx(idxBytes([], []), 'scalar.idx'), /scalar\.idx: .*dimension count is 0/);
});

test('readIdxFile names a missing file', () => {
  const missing = join(tmpdir(), 'rankcode-no-such-file-idx1-ubyte');
  assertUserError(() => readIdxFile(missing), new RegExp(`IDX file not found: ${missing}`));
});

test('readIdxFile decompresses .gz files', () => {
  const folder = mkdtempSync(join(tmpdir(), 'rankcode-idx-'));
  const path = join(folder, 'labels-idx1-ubyte.gz');
  writeFileSync(path, gzipSync(idxBytes([3], [9, 8, 7])));
  assert.deepEqual(Array.from(readIdxFile(path).data), [9, 8, 7]);
  writeFileSync(path, 'not gzip');
  assertUserError(() => readIdxFile(path), /failed to decompress .*labels-idx1-ubyte\.gz/);
});

test('readIdxFile reads the shipped MNIST files', () => {
  const images = readIdxFile(join(defaultMnistDir(), 't10k-images-idx3-ubyte'));
  const labels = readIdxFile(join(defaultMnistDir(), 't10k-labels-idx1-ubyte'));
  assert.deepEqual(images.dims, [10000, 28, 28]);
  assert.deepEqual(labels.dims, [10000]);
  // The first MNIST test digit is a 7.
  assert.equal(labels.data[0], 7);
});
