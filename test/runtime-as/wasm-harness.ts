/**
 * Helpers for the wasm runtime tests: emit a model with the wasm target into a
 * temporary folder, import its generated loader, and instantiate raw wasm
 * bytes. The project's TypeScript setup has no WebAssembly typings (lib ES2022
 * without DOM), so the small part of the API used here is typed locally.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { QModel } from '../../compiler/qmodel.js';
import type { EmittedFile } from '../../compiler/target.js';
import { writeFileAtomic } from '../../common/files.js';
import { createWasmTarget } from '../../compiler/targets/wasm.js';

/** The result of step() and run() in the generated loader (see model.d.ts). */
export interface LoadedStepResult {
  spiked: boolean;
  classIndex: number;
  label: string;
  step: number;
  confidence: number;
}

/** The model object of the generated loader (see model.d.ts). */
export interface LoadedModel {
  readonly inputSize: number;
  readonly labels: readonly string[];
  readonly inputScale: number;
  readonly threshold: number;
  readonly simd: boolean;
  readonly framesComputed: number;
  readonly logits: Int32Array;
  reset(): void;
  step(frame: Int8Array): LoadedStepResult;
  stepFloat(values: ArrayLike<number>): LoadedStepResult;
  run(frames: Int8Array | readonly Int8Array[]): LoadedStepResult;
  runFloat(frames: ArrayLike<number> | readonly ArrayLike<number>[]): LoadedStepResult;
  quantize(values: ArrayLike<number>): Int8Array;
}

/** The exports of a generated model.js. */
export interface LoaderModule {
  modelInfo: { name: string; inputSize: number; classCount: number; labels: readonly string[]; simd: boolean };
  quantizeInput(value: number): number;
  createModel(source: unknown): Promise<LoadedModel>;
  createModelSync(source: unknown): LoadedModel;
}

/** The exports of the Node helper model-node.js. */
export interface NodeLoaderModule extends LoaderModule {
  loadModel(path?: string | URL): Promise<LoadedModel>;
}

export interface EmittedModel {
  directory: string;
  files: EmittedFile[];
  wasm: Uint8Array;
  loader: LoaderModule;
  /** A fresh model instance from the emitted model.wasm. */
  create(): LoadedModel;
}

const temporaryFolders: string[] = [];

/** Makes a temporary folder that removeTemporaryFolders() deletes. */
export function makeTemporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'rankcode-wasm-'));
  temporaryFolders.push(folder);
  return folder;
}

export function removeTemporaryFolders(): void {
  for (const folder of temporaryFolders.splice(0)) rmSync(folder, { recursive: true, force: true });
}

/** Writes emitted files under `directory`. */
export function writeEmittedFiles(directory: string, files: EmittedFile[]): void {
  for (const file of files) writeFileAtomic(join(directory, file.path), file.contents);
}

/** Emits `model` with the wasm target, writes it to a temporary folder and imports its loader. */
export async function emitModel(model: QModel, simd: boolean): Promise<EmittedModel> {
  const files = await createWasmTarget({ simd }).emit({ qmodel: model, prefix: 'rc_model', compilerVersion: '0.0.0-test' });
  const directory = makeTemporaryFolder();
  writeEmittedFiles(directory, files);
  const loader = (await import(pathToFileURL(join(directory, 'model.js')).href)) as LoaderModule;
  const wasm = readFileSync(join(directory, 'model.wasm'));
  return { directory, files, wasm, loader, create: () => loader.createModelSync(wasm) };
}

/** The subset of the WebAssembly API that the tests use. */
interface WebAssemblyApi {
  Module: {
    new (bytes: Uint8Array): object;
    imports(module: object): { module: string; name: string; kind: string }[];
    customSections(module: object, name: string): ArrayBuffer[];
  };
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

export const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Instantiates wasm bytes that need no imports and returns the exports. */
export function instantiateWasm<Exports>(bytes: Uint8Array): Exports {
  return new webAssembly.Instance(new webAssembly.Module(bytes), {}).exports as Exports;
}
