/**
 * The contract between the compiler and a target. Each target is a folder
 * targets/<name>/ with a manifest.json and its mustache templates, plus a driver
 * in compiler/targets/<name>.ts that builds the template views and any binary
 * output (model.wasm). Drivers return files; the compiler writes them atomically.
 */
import type { QModel } from './qmodel.js';

export interface EmitContext {
  qmodel: QModel;
  /** C-identifier-safe prefix for every emitted symbol, unique per model. */
  prefix: string;
  /** Version of rankcode that emits the files, for the provenance header. */
  compilerVersion: string;
}

export interface EmittedFile {
  /** Path relative to the output folder, '/'-separated. */
  path: string;
  contents: string | Uint8Array;
}

export interface TargetManifest {
  name: string;
  description: string;
  /** Template files of this target, relative to its folder. */
  templates: string[];
}

export interface TargetDriver {
  name: string;
  emit(context: EmitContext): Promise<EmittedFile[]>;
}
