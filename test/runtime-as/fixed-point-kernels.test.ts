/**
 * The AssemblyScript fixed-point primitives and dot products against the
 * reference in compiler/fixed-point.ts, for the scalar and the SIMD build.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EXP_TABLE,
  SIGMOID_TABLE,
  TANH_TABLE,
  activationQ15,
  confidenceQ15,
  expNegQ16,
  requantize,
  roundingShift,
  saturate16,
  saturate32,
} from '../../compiler/fixed-point.js';
import { KERNEL_BUILDS, loadKernels, ScratchArena } from './kernel-harness.js';
import { Random } from './random-qmodel.js';

for (const build of KERNEL_BUILDS) {
  test(`${build.name} kernels report their SIMD setting`, () => {
    assert.equal(loadKernels(build.file).simdEnabled(), build.simd ? 1 : 0);
  });

  test(`${build.name} saturate16 and saturate32 match`, () => {
    const kernels = loadKernels(build.file);
    const values = [0, 1, -1, 32767, 32768, -32768, -32769, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 46, -(2 ** 46)];
    for (const value of values) {
      assert.equal(kernels.saturate16(BigInt(value)), saturate16(value), `saturate16(${value})`);
      assert.equal(kernels.saturate32(BigInt(value)), saturate32(value), `saturate32(${value})`);
    }
  });

  test(`${build.name} roundingShift and requantize match`, () => {
    const kernels = loadKernels(build.file);
    const random = new Random(11);
    for (let k = 0; k < 20000; k++) {
      const shift = random.integer(1, 62);
      const value = Math.round(random.gaussian(1) * 2 ** random.integer(0, 50));
      assert.equal(Number(kernels.roundingShift(BigInt(value), shift)), roundingShift(value, shift), `roundingShift(${value}, ${shift})`);
      const acc = random.integer(-(2 ** 31), 2 ** 31 - 1);
      const mult = random.integer(0, 2 ** 15 - 1);
      assert.equal(Number(kernels.requantize(acc, mult, shift)), requantize(acc, mult, shift), `requantize(${acc}, ${mult}, ${shift})`);
    }
    // Ties round half up, also for negative values.
    for (const value of [-3, -2, -1, 1, 2, 3]) {
      assert.equal(Number(kernels.roundingShift(BigInt(value), 1)), roundingShift(value, 1), `roundingShift(${value}, 1)`);
    }
  });

  test(`${build.name} activations match on all int16 inputs`, () => {
    const kernels = loadKernels(build.file);
    const arena = new ScratchArena(kernels, 4096);
    const tables = [
      { name: 'sigmoid', values: SIGMOID_TABLE, address: arena.int16(SIGMOID_TABLE) },
      { name: 'tanh', values: TANH_TABLE, address: arena.int16(TANH_TABLE) },
    ];
    for (const table of tables) {
      for (let a = -32768; a <= 32767; a++) {
        const actual = kernels.activationQ15(table.address, a);
        const expected = activationQ15(table.values, a);
        if (actual !== expected) assert.fail(`${table.name}(${a}) is ${actual}, expected ${expected}`);
      }
    }
  });

  test(`${build.name} expNegQ16 matches`, () => {
    const kernels = loadKernels(build.file);
    const arena = new ScratchArena(kernels, 2048);
    const table = arena.int32(EXP_TABLE);
    const distances: number[] = [];
    for (let d = 0; d <= 70000; d++) distances.push(d);
    distances.push(2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1);
    for (const d of distances) {
      const actual = kernels.expNegQ16(table, BigInt(d));
      const expected = expNegQ16(d);
      if (actual !== expected) assert.fail(`expNegQ16(${d}) is ${actual}, expected ${expected}`);
    }
  });

  test(`${build.name} confidenceQ15 matches`, () => {
    const kernels = loadKernels(build.file);
    const random = new Random(12);
    const sums = [65536, 65537, 65538, 131072, 131073, 64 * 65536];
    for (let k = 0; k < 5000; k++) sums.push(random.integer(65536, 1000 * 65536));
    for (const sum of sums) assert.equal(kernels.confidenceQ15(BigInt(sum)), confidenceQ15(sum), `confidenceQ15(${sum})`);
  });

  test(`${build.name} dot products are exact`, () => {
    const kernels = loadKernels(build.file);
    const random = new Random(13);
    const lengths = [0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 47, 64, 100, 784];
    for (const length of lengths) {
      for (let trial = 0; trial < 20; trial++) {
        const arena = new ScratchArena(kernels, 8 * length + 256);
        // Trial 0 uses the extreme products -128 x -128 and -128 x -32768. The int16
        // input turns to +32767 after 500 values, which keeps the exact sum inside
        // the int32 range that the wasm target guarantees for every row.
        const extreme = trial === 0;
        const weights = Array.from({ length }, () => (extreme ? -128 : random.integer(-128, 127)));
        const bytes = Array.from({ length }, () => (extreme ? -128 : random.integer(-128, 127)));
        const halves = Array.from({ length }, (_, j) => {
          if (!extreme) return random.integer(-32768, 32767);
          return j < 500 ? -32768 : 32767;
        });
        let expectedI8 = 0;
        let expectedI16 = 0;
        for (let j = 0; j < length; j++) {
          expectedI8 += weights[j] * bytes[j];
          expectedI16 += weights[j] * halves[j];
        }
        const w = arena.int8(weights);
        assert.equal(kernels.dotI8I8(w, arena.int8(bytes), length), expectedI8, `dotI8I8 length ${length} trial ${trial}`);
        assert.equal(kernels.dotI8I16(w, arena.int16(halves), length), expectedI16, `dotI8I16 length ${length} trial ${trial}`);
      }
    }
  });

  test(`${build.name} dot products read unaligned rows`, () => {
    const kernels = loadKernels(build.file);
    const random = new Random(14);
    const arena = new ScratchArena(kernels, 4096);
    const weights = Array.from({ length: 200 }, () => random.integer(-128, 127));
    const bytes = Array.from({ length: 200 }, () => random.integer(-128, 127));
    const w = arena.int8(weights);
    const x = arena.int8(bytes);
    for (let offset = 0; offset < 16; offset++) {
      const length = 150;
      let expected = 0;
      for (let j = 0; j < length; j++) expected += weights[offset + j] * bytes[offset + j];
      assert.equal(kernels.dotI8I8(w + offset, x + offset, length), expected, `offset ${offset}`);
    }
  });

  test(`${build.name} matrix-vector products are exact`, () => {
    const kernels = loadKernels(build.file);
    const random = new Random(15);
    // Row counts around the four-row blocks, column counts around the eight-column steps.
    for (const rows of [1, 3, 4, 5, 8, 11, 256]) {
      for (const columns of [1, 7, 8, 9, 16, 23, 64, 784]) {
        const arena = new ScratchArena(kernels, rows * columns + 4 * columns + 4 * rows + 256);
        const matrix = Array.from({ length: rows * columns }, () => random.integer(-128, 127));
        const bytes = Array.from({ length: columns }, () => random.integer(-128, 127));
        const halves = Array.from({ length: columns }, () => random.integer(-32768, 32767));
        const expectedI8: number[] = [];
        const expectedI16: number[] = [];
        for (let r = 0; r < rows; r++) {
          let sumI8 = 0;
          let sumI16 = 0;
          for (let j = 0; j < columns; j++) {
            sumI8 += matrix[r * columns + j] * bytes[j];
            sumI16 += matrix[r * columns + j] * halves[j];
          }
          expectedI8.push(sumI8);
          expectedI16.push(sumI16);
        }
        const m = arena.int8(matrix);
        const out = arena.int32(new Array<number>(rows).fill(0));
        kernels.matVecI8I8(m, rows, columns, arena.int8(bytes), out);
        assert.deepEqual(arena.readInt32(out, rows), expectedI8, `matVecI8I8 ${rows} x ${columns}`);
        kernels.matVecI8I16(m, rows, columns, arena.int16(halves), out);
        assert.deepEqual(arena.readInt32(out, rows), expectedI16, `matVecI8I16 ${rows} x ${columns}`);
      }
    }
  });

  test(`${build.name} zero-skipping products are exact`, () => {
    const kernels = loadKernels(build.file);
    const random = new Random(16);
    // Row counts around the 16-row SIMD blocks; nonzero counts from none to all,
    // so projectFrameI8 takes both the sparse and the dense path.
    for (const rows of [1, 15, 16, 17, 40, 256]) {
      for (const columns of [1, 15, 16, 17, 100, 784]) {
        const arena = new ScratchArena(kernels, 2 * rows * columns + 8 * columns + 4 * rows + 256);
        const matrix = Array.from({ length: rows * columns }, () => random.integer(-128, 127));
        const columnMajor = new Array<number>(matrix.length);
        for (let r = 0; r < rows; r++) for (let j = 0; j < columns; j++) columnMajor[j * rows + r] = matrix[r * columns + j];
        const m = arena.int8(matrix);
        const mt = arena.int8(columnMajor);
        const indices = arena.int32(new Array<number>(columns).fill(-1));
        const out = arena.int32(new Array<number>(rows).fill(0));
        const nonzeroCounts = [...new Set([0, 1, 2, Math.floor(columns / 20), Math.floor(columns / 5), Math.floor(columns / 3), columns])];
        for (const nonzeroCount of nonzeroCounts) {
          const bytes = new Array<number>(columns).fill(0);
          for (let k = 0; k < nonzeroCount; k++) {
            // Extreme values included; a zero draw makes the frame sparser still.
            bytes[random.integer(0, columns - 1)] = random.integer(-128, 127);
          }
          const expectedIndices = bytes.flatMap((value, j) => (value !== 0 ? [j] : []));
          const expected: number[] = [];
          for (let r = 0; r < rows; r++) {
            let sum = 0;
            for (let j = 0; j < columns; j++) sum += matrix[r * columns + j] * bytes[j];
            expected.push(sum);
          }
          const checkpoint = arena.checkpoint();
          const x = arena.int8(bytes);
          const label = `${rows} x ${columns}, ${expectedIndices.length} nonzero`;

          const count = kernels.collectNonzeroIndices(x, columns, indices);
          assert.equal(count, expectedIndices.length, `collectNonzeroIndices count ${label}`);
          assert.deepEqual(arena.readInt32(indices, count), expectedIndices, `collectNonzeroIndices ${label}`);

          kernels.sparseMatVecI8I8(mt, rows, x, indices, count, out);
          assert.deepEqual(arena.readInt32(out, rows), expected, `sparseMatVecI8I8 ${label}`);

          kernels.projectFrameI8(m, mt, rows, columns, x, indices, out);
          assert.deepEqual(arena.readInt32(out, rows), expected, `projectFrameI8 ${label}`);
          arena.rewind(checkpoint);
        }
      }
    }
  });
}
