/**
 * Measures where the zero-skipping input projection (sparseMatVecI8I8 in
 * runtime-as/dot.ts) stops being faster than the dense row-major one
 * (matVecI8I8). It times one product of a rows x columns int8 matrix with int8
 * frames of each nonzero count, on both kernel modules of `npm run build:as`.
 * The nonzero values sit at random positions. Both timings include
 * collectNonzeroIndices, which projectFrameI8 runs on every frame.
 *
 * Usage: node dist/bench/wasm-sparse-crossover.js [--rows 256] [--columns 784]
 *        [--counts 0,8,16,...] [--repeats 2000]
 */
import { parseArgs } from 'node:util';
import { KERNEL_BUILDS, loadKernels, ScratchArena, type KernelExports } from '../test/runtime-as/kernel-harness.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '256' },
    columns: { type: 'string', default: '784' },
    counts: { type: 'string', default: '0,8,16,32,48,64,96,128,160,196,256,320,392,512,784' },
    repeats: { type: 'string', default: '2000' },
  },
});
const rows = Number(values.rows);
const columns = Number(values.columns);
const counts = values.counts.split(',').map(Number);
const repeats = Number(values.repeats);

/** Kernels of runtime-as/test-entry.ts that this benchmark calls, beyond KernelExports. */
interface SparseKernels {
  collectNonzeroIndices(input: number, length: number, indices: number): number;
  sparseMatVecI8I8(columnMajor: number, rows: number, input: number, indices: number, count: number, out: number): void;
}

function randomInt8(length: number): number[] {
  return Array.from({ length }, () => Math.floor(Math.random() * 255) - 127);
}

function sparseFrame(count: number): number[] {
  const frame = new Array<number>(columns).fill(0);
  const order = Array.from({ length: columns }, (_, j) => j).sort(() => Math.random() - 0.5);
  for (let k = 0; k < count; k++) frame[order[k]] = 1 + Math.floor(Math.random() * 127);
  return frame;
}

/** Returns the median over five timed runs of `repeats` calls, in microseconds per call. */
function microsecondsPerCall(call: () => void): number {
  for (let i = 0; i < repeats; i++) call();
  const runs: number[] = [];
  for (let run = 0; run < 5; run++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < repeats; i++) call();
    runs.push(Number(process.hrtime.bigint() - start) / 1000 / repeats);
  }
  return runs.sort((a, b) => a - b)[2];
}

for (const build of KERNEL_BUILDS) {
  const kernels = loadKernels(build.file) as KernelExports & SparseKernels;
  const arena = new ScratchArena(kernels, 2 * rows * columns + 8 * columns + 8 * rows + 4096);
  const matrix = randomInt8(rows * columns);
  const columnMajor = new Array<number>(matrix.length);
  for (let r = 0; r < rows; r++) for (let j = 0; j < columns; j++) columnMajor[j * rows + r] = matrix[r * columns + j];
  const rowMajorAddress = arena.int8(matrix);
  const columnMajorAddress = arena.int8(columnMajor);
  const indices = arena.int32(new Array<number>(columns).fill(0));
  const out = arena.int32(new Array<number>(rows).fill(0));
  console.log(`${build.name}: ${rows} x ${columns}, microseconds per product`);
  console.log('nonzero  sparse  dense');
  for (const count of counts) {
    const checkpoint = arena.checkpoint();
    const input = arena.int8(sparseFrame(count));
    const found = kernels.collectNonzeroIndices(input, columns, indices);
    const sparse = microsecondsPerCall(() => {
      kernels.sparseMatVecI8I8(columnMajorAddress, rows, input, indices, kernels.collectNonzeroIndices(input, columns, indices), out);
    });
    const dense = microsecondsPerCall(() => {
      kernels.collectNonzeroIndices(input, columns, indices);
      kernels.matVecI8I8(rowMajorAddress, rows, columns, input, out);
    });
    console.log(`${String(found).padStart(7)}  ${sparse.toFixed(2).padStart(6)}  ${dense.toFixed(2).padStart(5)}`);
    arena.rewind(checkpoint);
  }
}
