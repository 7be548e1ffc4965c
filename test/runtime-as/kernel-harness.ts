/**
 * Loads the kernel test modules built by `npm run build:as`
 * (build/runtime-as/kernels.wasm and kernels-simd.wasm) and places test
 * operands in their memory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../compiler/render.js';
import { instantiateWasm } from './wasm-harness.js';

/** Exports of runtime-as/test-entry.ts. Booleans arrive as 0 or 1, i64 values as bigint. */
export interface KernelExports {
  memory: { buffer: ArrayBuffer };
  scratchAddress(bytes: number): number;
  saturate16(value: bigint): number;
  saturate32(value: bigint): number;
  roundingShift(value: bigint, shift: number): bigint;
  requantize(acc: number, mult: number, shift: number): bigint;
  activationQ15(table: number, a: number): number;
  expNegQ16(table: number, d: bigint): number;
  confidenceQ15(expSum: bigint): number;
  dotI8I8(weights: number, input: number, length: number): number;
  dotI8I16(weights: number, input: number, length: number): number;
  matVecI8I8(matrix: number, rows: number, columns: number, input: number, out: number): void;
  matVecI8I16(matrix: number, rows: number, columns: number, input: number, out: number): void;
  collectNonzeroIndices(input: number, length: number, indices: number): number;
  sparseMatVecI8I8(columnMajor: number, rows: number, input: number, indices: number, count: number, out: number): void;
  projectFrameI8(matrix: number, columnMajor: number, rows: number, columns: number, input: number, indices: number, out: number): void;
  lstmStepSparseInput(
    input: number,
    inputSize: number,
    units: number,
    kernel: number,
    kernelColumns: number,
    nonzeroIndices: number,
    recurrentKernel: number,
    rowParams: number,
    hidden: number,
    cell: number,
    gates: number,
    gateKind: number,
    sigmoidTable: number,
    tanhTable: number,
  ): void;
  lstmStep(
    input: number,
    inputIsInt16: number,
    inputSize: number,
    units: number,
    kernel: number,
    recurrentKernel: number,
    weightsAreInt16: number,
    rowParams: number,
    hidden: number,
    cell: number,
    gates: number,
    gateKind: number,
    sigmoidTable: number,
    tanhTable: number,
  ): void;
  gruStep(
    input: number,
    inputIsInt16: number,
    inputSize: number,
    units: number,
    kernel: number,
    recurrentKernel: number,
    weightsAreInt16: number,
    rowParams: number,
    resetAfter: number,
    hidden: number,
    scratch: number,
    gateKind: number,
    sigmoidTable: number,
    tanhTable: number,
  ): void;
  denseLogits(
    input: number,
    inputIsInt16: number,
    inputSize: number,
    units: number,
    kernel: number,
    weightsAreInt16: number,
    rowParams: number,
    logits: number,
  ): void;
  denseHidden(
    input: number,
    inputIsInt16: number,
    inputSize: number,
    units: number,
    kernel: number,
    weightsAreInt16: number,
    rowParams: number,
    activation: number,
    sigmoidTable: number,
    output: number,
  ): void;
  gateQ15(kind: number, sigmoidTable: number, a: number): number;
  spikeTest(logits: number, classes: number, spikeBound: number, expTable: number, result: number): number;
  sigmoidSpikeTest(logits: number, count: number, spikeBound: number, sigmoidTable: number, result: number): number;
  echoExpTableAddress(): number;
  configureEchoModel(classes: number, spikeBound: number): number;
  reset(): void;
  step(): number;
  run(count: number): number;
  reserveFrames(count: number): number;
  framesComputed(): number;
  resultAddress(): number;
  logitsAddress(): number;
  inputSize(): number;
  logitCount(): number;
  simdEnabled(): number;
}

export const KERNEL_BUILDS = [
  { name: 'scalar', file: 'kernels.wasm', simd: false },
  { name: 'SIMD', file: 'kernels-simd.wasm', simd: true },
];

/** Instantiates a fresh kernel module; throws with the build command when the file is missing. */
export function loadKernels(file: string): KernelExports {
  const path = join(PACKAGE_ROOT, 'build', 'runtime-as', file);
  if (!existsSync(path)) throw new Error(`${path} is missing; run "npm run build:as" first`);
  return instantiateWasm<KernelExports>(readFileSync(path));
}

/**
 * A bump allocator over the scratch area of a kernel module. It reserves all
 * its bytes up front, so the memory never grows (and views never detach) while
 * a test places operands.
 */
export class ScratchArena {
  private next: number;
  private readonly end: number;

  constructor(private readonly kernels: KernelExports, bytes: number) {
    const base = kernels.scratchAddress(bytes);
    if (base === 0) throw new Error(`the kernel module cannot reserve ${bytes} bytes of scratch memory`);
    this.next = base;
    this.end = base + bytes;
  }

  private take(bytes: number): number {
    const address = this.next;
    this.next = (address + bytes + 15) & ~15;
    if (this.next > this.end) throw new Error('the scratch arena is full; reserve more bytes');
    return address;
  }

  /** Returns the current allocation point, for rewind(). */
  checkpoint(): number {
    return this.next;
  }

  /** Frees everything allocated since `checkpoint`. */
  rewind(checkpoint: number): void {
    this.next = checkpoint;
  }

  int8(values: ArrayLike<number>): number {
    const address = this.take(values.length);
    new Int8Array(this.kernels.memory.buffer, address, values.length).set(values);
    return address;
  }

  int16(values: ArrayLike<number>): number {
    const address = this.take(2 * values.length);
    new Int16Array(this.kernels.memory.buffer, address, values.length).set(values);
    return address;
  }

  int32(values: ArrayLike<number>): number {
    const address = this.take(4 * values.length);
    new Int32Array(this.kernels.memory.buffer, address, values.length).set(values);
    return address;
  }

  readInt16(address: number, length: number): number[] {
    return Array.from(new Int16Array(this.kernels.memory.buffer, address, length));
  }

  readInt32(address: number, length: number): number[] {
    return Array.from(new Int32Array(this.kernels.memory.buffer, address, length));
  }
}
