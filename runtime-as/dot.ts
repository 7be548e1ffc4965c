/**
 * Dot products of one int8 weight row with an int8 or int16 input vector,
 * acc = sum_{j < length} w[j] * x[j], and matrix-vector products of a row-major
 * int8 matrix [rows][columns], out[r] = sum_j M[r][j] * x[j], all with i32
 * accumulators.
 *
 * Overflow: i32 addition wraps modulo 2^32 and is associative, so any summation
 * order gives the exact sum whenever the exact sum fits in i32. The wasm target
 * checks |acc| <= sum_j |w[j]| * max |x| < 2^31 for every row before it compiles
 * a model, so the SIMD lane order, the unrolled scalar order and the reference
 * agree.
 *
 * Built with `--enable simd`, ASC_FEATURE_SIMD is true, so the loops use
 * i32x4.dot_i16x8_s on inputs widened to int16 by v128.load8x8_s. A scalar loop
 * finishes the last length % 16 values. Without SIMD only the scalar loops are
 * compiled, unrolled eight ways into four accumulators.
 *
 * The SIMD matrix-vector products compute four rows per pass, so each widened
 * input vector is loaded once for four rows. In a micro-benchmark of a 256 x 784
 * product (Node 20, x86-64) that ran about 1.3 times faster than one row at a
 * time. Remaining rows and the scalar build use the row dot products.
 */

/** Sums the four i32 lanes of a vector. */
function sumLanes(vector: v128): i32 {
  return (
    i32x4.extract_lane(vector, 0) +
    i32x4.extract_lane(vector, 1) +
    i32x4.extract_lane(vector, 2) +
    i32x4.extract_lane(vector, 3)
  );
}

/** Returns sum_j w[j] * x[j] for `length` int8 weights at `weights` and int8 inputs at `input`. */
export function dotI8I8(weights: usize, input: usize, length: i32): i32 {
  let j: i32 = 0;
  let acc: i32 = 0;
  if (ASC_FEATURE_SIMD) {
    // Each dot_i16x8_s lane adds two products of magnitude <= 128 * 128.
    let acc0 = i32x4.splat(0);
    let acc1 = i32x4.splat(0);
    for (; j + 16 <= length; j += 16) {
      const w = weights + <usize>j;
      const x = input + <usize>j;
      acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(v128.load8x8_s(w), v128.load8x8_s(x)));
      acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(v128.load8x8_s(w, 8), v128.load8x8_s(x, 8)));
    }
    acc = sumLanes(i32x4.add(acc0, acc1));
  } else {
    let acc0: i32 = 0;
    let acc1: i32 = 0;
    let acc2: i32 = 0;
    let acc3: i32 = 0;
    for (; j + 8 <= length; j += 8) {
      const w = weights + <usize>j;
      const x = input + <usize>j;
      acc0 += <i32>load<i8>(w, 0) * <i32>load<i8>(x, 0) + <i32>load<i8>(w, 4) * <i32>load<i8>(x, 4);
      acc1 += <i32>load<i8>(w, 1) * <i32>load<i8>(x, 1) + <i32>load<i8>(w, 5) * <i32>load<i8>(x, 5);
      acc2 += <i32>load<i8>(w, 2) * <i32>load<i8>(x, 2) + <i32>load<i8>(w, 6) * <i32>load<i8>(x, 6);
      acc3 += <i32>load<i8>(w, 3) * <i32>load<i8>(x, 3) + <i32>load<i8>(w, 7) * <i32>load<i8>(x, 7);
    }
    acc = acc0 + acc1 + acc2 + acc3;
  }
  for (; j < length; j++) {
    acc += <i32>load<i8>(weights + <usize>j) * <i32>load<i8>(input + <usize>j);
  }
  return acc;
}

/** Returns sum_j w[j] * x[j] for `length` int8 weights at `weights` and int16 inputs at `input`. */
export function dotI8I16(weights: usize, input: usize, length: i32): i32 {
  let j: i32 = 0;
  let acc: i32 = 0;
  if (ASC_FEATURE_SIMD) {
    // Each dot_i16x8_s lane adds two products of magnitude <= 128 * 32768 = 2^22.
    let acc0 = i32x4.splat(0);
    let acc1 = i32x4.splat(0);
    for (; j + 16 <= length; j += 16) {
      const w = weights + <usize>j;
      const x = input + (<usize>j << 1);
      acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(v128.load8x8_s(w), v128.load(x)));
      acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(v128.load8x8_s(w, 8), v128.load(x, 16)));
    }
    acc = sumLanes(i32x4.add(acc0, acc1));
  } else {
    let acc0: i32 = 0;
    let acc1: i32 = 0;
    let acc2: i32 = 0;
    let acc3: i32 = 0;
    for (; j + 8 <= length; j += 8) {
      const w = weights + <usize>j;
      const x = input + (<usize>j << 1);
      acc0 += <i32>load<i8>(w, 0) * <i32>load<i16>(x, 0) + <i32>load<i8>(w, 4) * <i32>load<i16>(x, 8);
      acc1 += <i32>load<i8>(w, 1) * <i32>load<i16>(x, 2) + <i32>load<i8>(w, 5) * <i32>load<i16>(x, 10);
      acc2 += <i32>load<i8>(w, 2) * <i32>load<i16>(x, 4) + <i32>load<i8>(w, 6) * <i32>load<i16>(x, 12);
      acc3 += <i32>load<i8>(w, 3) * <i32>load<i16>(x, 6) + <i32>load<i8>(w, 7) * <i32>load<i16>(x, 14);
    }
    acc = acc0 + acc1 + acc2 + acc3;
  }
  for (; j < length; j++) {
    acc += <i32>load<i8>(weights + <usize>j) * <i32>load<i16>(input + (<usize>j << 1));
  }
  return acc;
}

/** Computes out[r] = M[r] . x for int8 M at `matrix` and int8 x at `input` into `rows` i32 at `out`. */
export function matVecI8I8(matrix: usize, rows: i32, columns: i32, input: usize, out: usize): void {
  const stride = <usize>columns;
  let r: i32 = 0;
  if (ASC_FEATURE_SIMD) {
    const vectorEnd = columns & ~7;
    for (; r + 4 <= rows; r += 4) {
      const row0 = matrix + <usize>r * stride;
      const row1 = row0 + stride;
      const row2 = row1 + stride;
      const row3 = row2 + stride;
      let acc0 = i32x4.splat(0);
      let acc1 = i32x4.splat(0);
      let acc2 = i32x4.splat(0);
      let acc3 = i32x4.splat(0);
      for (let j: i32 = 0; j < vectorEnd; j += 8) {
        const offset = <usize>j;
        const x = v128.load8x8_s(input + offset);
        acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(v128.load8x8_s(row0 + offset), x));
        acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(v128.load8x8_s(row1 + offset), x));
        acc2 = i32x4.add(acc2, i32x4.dot_i16x8_s(v128.load8x8_s(row2 + offset), x));
        acc3 = i32x4.add(acc3, i32x4.dot_i16x8_s(v128.load8x8_s(row3 + offset), x));
      }
      let sum0 = sumLanes(acc0);
      let sum1 = sumLanes(acc1);
      let sum2 = sumLanes(acc2);
      let sum3 = sumLanes(acc3);
      for (let j: i32 = vectorEnd; j < columns; j++) {
        const offset = <usize>j;
        const x = <i32>load<i8>(input + offset);
        sum0 += <i32>load<i8>(row0 + offset) * x;
        sum1 += <i32>load<i8>(row1 + offset) * x;
        sum2 += <i32>load<i8>(row2 + offset) * x;
        sum3 += <i32>load<i8>(row3 + offset) * x;
      }
      const target = out + (<usize>r << 2);
      store<i32>(target, sum0, 0);
      store<i32>(target, sum1, 4);
      store<i32>(target, sum2, 8);
      store<i32>(target, sum3, 12);
    }
  }
  for (; r < rows; r++) {
    store<i32>(out + (<usize>r << 2), dotI8I8(matrix + <usize>r * stride, input, columns));
  }
}

/** Computes out[r] = M[r] . x for int8 M at `matrix` and int16 x at `input` into `rows` i32 at `out`. */
export function matVecI8I16(matrix: usize, rows: i32, columns: i32, input: usize, out: usize): void {
  const stride = <usize>columns;
  let r: i32 = 0;
  if (ASC_FEATURE_SIMD) {
    const vectorEnd = columns & ~7;
    for (; r + 4 <= rows; r += 4) {
      const row0 = matrix + <usize>r * stride;
      const row1 = row0 + stride;
      const row2 = row1 + stride;
      const row3 = row2 + stride;
      let acc0 = i32x4.splat(0);
      let acc1 = i32x4.splat(0);
      let acc2 = i32x4.splat(0);
      let acc3 = i32x4.splat(0);
      for (let j: i32 = 0; j < vectorEnd; j += 8) {
        const offset = <usize>j;
        const x = v128.load(input + (offset << 1));
        acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(v128.load8x8_s(row0 + offset), x));
        acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(v128.load8x8_s(row1 + offset), x));
        acc2 = i32x4.add(acc2, i32x4.dot_i16x8_s(v128.load8x8_s(row2 + offset), x));
        acc3 = i32x4.add(acc3, i32x4.dot_i16x8_s(v128.load8x8_s(row3 + offset), x));
      }
      let sum0 = sumLanes(acc0);
      let sum1 = sumLanes(acc1);
      let sum2 = sumLanes(acc2);
      let sum3 = sumLanes(acc3);
      for (let j: i32 = vectorEnd; j < columns; j++) {
        const offset = <usize>j;
        const x = <i32>load<i16>(input + (offset << 1));
        sum0 += <i32>load<i8>(row0 + offset) * x;
        sum1 += <i32>load<i8>(row1 + offset) * x;
        sum2 += <i32>load<i8>(row2 + offset) * x;
        sum3 += <i32>load<i8>(row3 + offset) * x;
      }
      const target = out + (<usize>r << 2);
      store<i32>(target, sum0, 0);
      store<i32>(target, sum1, 4);
      store<i32>(target, sum2, 8);
      store<i32>(target, sum3, 12);
    }
  }
  for (; r < rows; r++) {
    store<i32>(out + (<usize>r << 2), dotI8I16(matrix + <usize>r * stride, input, columns));
  }
}

/**
 * projectFrameI8 takes the zero-skipping path when at most columns /
 * SPARSE_INPUT_DIVISOR inputs are nonzero. On a 256 x 784 product,
 * bench/wasm-sparse-crossover.ts measured the crossover near 1/4 of the columns
 * in the SIMD build and near 1/2 in the scalar build (Node 20, x86-64, 2 shared
 * cores at load average 7). Both divisors stay below it, for a margin.
 */
const SPARSE_INPUT_DIVISOR: i32 = ASC_FEATURE_SIMD ? 5 : 3;

/**
 * Writes the indices j < `length` with a nonzero int8 input[j] as i32 values to
 * `indices` (room for `length` values) and returns their count.
 */
export function collectNonzeroIndices(input: usize, length: i32, indices: usize): i32 {
  let count: i32 = 0;
  let j: i32 = 0;
  if (ASC_FEATURE_SIMD) {
    // Whole 16-byte blocks of zeros, most of a sparse frame, cost one test each.
    for (; j + 16 <= length; j += 16) {
      if (!v128.any_true(v128.load(input + <usize>j))) continue;
      for (let k = j; k < j + 16; k++) {
        store<i32>(indices + (<usize>count << 2), k);
        count += load<i8>(input + <usize>k) != 0 ? 1 : 0;
      }
    }
  }
  for (; j < length; j++) {
    // The index is stored at every step and kept only when the input is nonzero,
    // so the loop has no data-dependent branch. count <= j keeps it in bounds.
    store<i32>(indices + (<usize>count << 2), j);
    count += load<i8>(input + <usize>j) != 0 ? 1 : 0;
  }
  return count;
}

/**
 * Computes out[r] = sum_k M[r][j_k] * x[j_k] over the `count` column indices j_k
 * at `indices`, for a column-major int8 matrix at `columnMajor` ([columns][rows])
 * and int8 x at `input`, into `rows` i32 at `out`. Equals the row-major product
 * when every other input is zero, because the skipped products are zero.
 *
 * The SIMD build keeps 16 rows in four i32x4 accumulators and adds, per nonzero
 * input, the 16 weights of its column widened to i16 and multiplied by the
 * input with i32x4.extmul_*_i16x8_s.
 */
export function sparseMatVecI8I8(columnMajor: usize, rows: i32, input: usize, indices: usize, count: i32, out: usize): void {
  const stride = <usize>rows;
  let r: i32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; r + 16 <= rows; r += 16) {
      const block = columnMajor + <usize>r;
      let acc0 = i32x4.splat(0);
      let acc1 = i32x4.splat(0);
      let acc2 = i32x4.splat(0);
      let acc3 = i32x4.splat(0);
      for (let k: i32 = 0; k < count; k++) {
        const j = <usize>load<i32>(indices + (<usize>k << 2));
        const x = i16x8.splat(<i16>load<i8>(input + j));
        const w = v128.load(block + j * stride);
        const low = i16x8.extend_low_i8x16_s(w);
        const high = i16x8.extend_high_i8x16_s(w);
        acc0 = i32x4.add(acc0, i32x4.extmul_low_i16x8_s(low, x));
        acc1 = i32x4.add(acc1, i32x4.extmul_high_i16x8_s(low, x));
        acc2 = i32x4.add(acc2, i32x4.extmul_low_i16x8_s(high, x));
        acc3 = i32x4.add(acc3, i32x4.extmul_high_i16x8_s(high, x));
      }
      const target = out + (<usize>r << 2);
      v128.store(target, acc0, 0);
      v128.store(target, acc1, 16);
      v128.store(target, acc2, 32);
      v128.store(target, acc3, 48);
    }
  }
  const firstScalarRow = r;
  for (let row = firstScalarRow; row < rows; row++) store<i32>(out + (<usize>row << 2), 0);
  for (let k: i32 = 0; k < count; k++) {
    const j = <usize>load<i32>(indices + (<usize>k << 2));
    const x = <i32>load<i8>(input + j);
    const column = columnMajor + j * stride;
    for (let row = firstScalarRow; row < rows; row++) {
      const target = out + (<usize>row << 2);
      store<i32>(target, load<i32>(target) + <i32>load<i8>(column + <usize>row) * x);
    }
  }
}

/**
 * Computes out[r] = M[r] . x for an int8 frame x, skipping zero inputs when at
 * most columns / SPARSE_INPUT_DIVISOR are nonzero. `matrix` is M row-major
 * ([rows][columns]), `columnMajor` the same values column-major, and `indices`
 * scratch for `columns` i32. Both paths give the exact sums (see the header).
 */
export function projectFrameI8(matrix: usize, columnMajor: usize, rows: i32, columns: i32, input: usize, indices: usize, out: usize): void {
  const count = collectNonzeroIndices(input, columns, indices);
  if (count * SPARSE_INPUT_DIVISOR <= columns) sparseMatVecI8I8(columnMajor, rows, input, indices, count, out);
  else matVecI8I8(matrix, rows, columns, input, out);
}
