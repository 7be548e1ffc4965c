import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNpy } from '../../trainer/data/npy.js';
import { assertUserError, npyBytes } from '../support/data-files.js';

/** Files written by numpy.save in numpy 2.4.6. */
const NUMPY_FILES = {
  // np.arange(12, dtype=np.float32).reshape(2, 3, 2) / 4
  float32: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPgAAAD8AAEA/AACAPwAAoD8AAMA/AADgPwAAAEAAABBAAAAgQAAAMEA=',
  // np.array([1, 0], dtype=np.int64)
  int64: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAAAAAAAAAAAAAAAAAA',
  // np.arange(6, dtype=np.int16).reshape(2, 3, 1) - 2
  int16: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGkyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMsIDEpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr+////AAABAAIAAwA=',
};

function valuesOf(bytes: Uint8Array, source = 'array.npy'): { shape: number[]; dtype: string; values: number[] } {
  const array = parseNpy(bytes, source);
  return { shape: array.shape, dtype: array.dtype, values: Array.from({ length: array.size }, (_, i) => array.get(i)) };
}

test('npy reads files written by numpy', () => {
  assert.deepEqual(valuesOf(Buffer.from(NUMPY_FILES.float32, 'base64')), {
    shape: [2, 3, 2],
    dtype: 'float32',
    values: Array.from({ length: 12 }, (_, i) => i / 4),
  });
  assert.deepEqual(valuesOf(Buffer.from(NUMPY_FILES.int64, 'base64')), { shape: [2], dtype: 'int64', values: [1, 0] });
  assert.deepEqual(valuesOf(Buffer.from(NUMPY_FILES.int16, 'base64')), { shape: [2, 3, 1], dtype: 'int16', values: [-2, -1, 0, 1, 2, 3] });
});

test('npy writer matches numpy output', () => {
  const written = npyBytes('<f4', [2, 3, 2], Array.from({ length: 12 }, (_, i) => i / 4));
  assert.deepEqual(Buffer.from(written), Buffer.from(NUMPY_FILES.float32, 'base64'));
});

test('npy reads every supported type', () => {
  const cases: [string, string, number[]][] = [
    ['|i1', 'int8', [-128, 0, 127]],
    ['|u1', 'uint8', [0, 128, 255]],
    ['<i2', 'int16', [-32768, 5, 32767]],
    ['<u2', 'uint16', [0, 5, 65535]],
    ['<i4', 'int32', [-2147483648, 5, 2147483647]],
    ['<u4', 'uint32', [0, 5, 4294967295]],
    ['<i8', 'int64', [-(2 ** 40), 5, 2 ** 40]],
    ['<u8', 'uint64', [0, 5, 2 ** 50]],
    ['<f4', 'float32', [-1.5, 0, 0.25]],
    ['<f8', 'float64', [-1.1, 0, 1e300]],
  ];
  for (const [descr, dtype, values] of cases) {
    assert.deepEqual(valuesOf(npyBytes(descr, [3], values)), { shape: [3], dtype, values }, descr);
  }
});

test('npy reads format versions 2 and 3', () => {
  for (const version of [2, 3] as const) {
    assert.deepEqual(valuesOf(npyBytes('<f8', [2, 1], [0.5, -2], { version })), { shape: [2, 1], dtype: 'float64', values: [0.5, -2] });
  }
});

test('npy reads a data view at an offset', () => {
  const file = npyBytes('<f4', [2], [1.5, 2.5]);
  const padded = new Uint8Array(file.length + 3);
  padded.set(file, 3);
  assert.deepEqual(valuesOf(padded.subarray(3)).values, [1.5, 2.5]);
});

test('npy reads a scalar and an empty array', () => {
  assert.deepEqual(valuesOf(npyBytes('<f4', [], [7], { header: "{'descr': '<f4', 'fortran_order': False, 'shape': (), }" })).values, [7]);
  assert.deepEqual(valuesOf(npyBytes('<f4', [0, 3], [])), { shape: [0, 3], dtype: 'float32', values: [] });
});

test('npy rejects invalid and unsupported files', () => {
  const good = npyBytes('<f4', [2], [1, 2]);
  const cases: [Uint8Array, string][] = [
    [new TextEncoder().encode('hello world'), 'a.npy: invalid .npy file: it does not start with the magic string \\x93NUMPY; save the array with numpy.save'],
    [new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0, 0]), 'a.npy: .npz archives are not supported; save each array on its own with numpy.save'],
    [Uint8Array.from(good, (byte, i) => (i === 6 ? 4 : byte)), 'a.npy: unsupported .npy format version 4.0; expected 1.0, 2.0 or 3.0 as written by numpy.save'],
    [good.subarray(0, 40), 'a.npy: invalid .npy file: the header length is 118 bytes but only 30 follow'],
    [good.subarray(0, good.length - 1), 'a.npy: invalid .npy file: shape (2,) of float32 needs 8 data bytes but the file has 7; the file is truncated or not a plain numpy.save output'],
    [new Uint8Array([...good, 0]), 'a.npy: invalid .npy file: shape (2,) of float32 needs 8 data bytes but the file has 9; the file is truncated or not a plain numpy.save output'],
    [npyBytes('<f4', [2], [1, 2], { fortranOrder: true }), 'a.npy: Fortran-order .npy arrays are not supported; save numpy.ascontiguousarray(array) instead'],
    [npyBytes('>f4', [2], [1, 2]), "a.npy: big-endian .npy arrays ('>f4') are not supported; convert with array.astype('<f4') before numpy.save"],
    [npyBytes('<f4', [1], [0], { header: "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }" }).subarray(0, 128),
      "a.npy: unsupported .npy element type '<c8'; expected '<f4', '<f8', '|u1', '|i1', '<i2', '<u2', '<i4', '<u4', '<i8' or '<u8'; convert with array.astype('<f4')"],
    [npyBytes('<f4', [1], [0], { header: "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }" }).subarray(0, 128),
      "a.npy: unsupported .npy element type '|O'; expected '<f4', '<f8', '|u1', '|i1', '<i2', '<u2', '<i4', '<u4', '<i8' or '<u8'; convert with array.astype('<f4')"],
    [npyBytes('<f4', [1], [0], { header: "{'descr': '<f4', 'shape': (1,), }" }),
      'a.npy: invalid .npy header "{\'descr\': \'<f4\', \'shape\': (1,), }": the header has the keys descr, shape, expected exactly descr, fortran_order and shape; save the array with numpy.save'],
    [npyBytes('<f4', [1], [0], { header: "{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }" }),
      'a.npy: invalid .npy header "{\'descr\': [(\'x\', \'<f4\')], \'fortran_order\': False, \'shape\': (1,), }": expected a non-negative integer at offset 10; save the array with numpy.save'],
    [npyBytes('<f4', [1], [0], { header: "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }" }),
      'a.npy: invalid .npy header "{\'descr\': \'<f4\', \'fortran_order\': False, \'shape\': (-1,), }": expected a non-negative integer at offset 51; save the array with numpy.save'],
  ];
  for (const [bytes, message] of cases) assertUserError(() => parseNpy(bytes, 'a.npy'), message);
});
