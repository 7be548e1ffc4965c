/**
 * The wasm target: renders the AssemblyScript module of a model from
 * targets/wasm/templates, compiles it to model.wasm, and emits the ES module
 * loader with its typings. Output files:
 *   model.wasm                 the model, with a "rankcode" custom section (provenance JSON)
 *   model.js, model.d.ts       loader: createModel(bytes | Response | URL), no Node-only API
 *   model-node.js, model-node.d.ts   Node helper: loadModel(path)
 *   src/model.ts, src/runtime/*.ts   the AssemblyScript sources that model.wasm was built from
 * The same model, compiler version and AssemblyScript version give the same bytes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert } from '../../common/errors.js';
import { PACKAGE_ROOT, renderTemplate } from '../render.js';
import type { EmitContext, EmittedFile, TargetDriver, TargetManifest } from '../target.js';
import { planLayers } from './wasm-check.js';
import { appendCustomSection, ascArguments, ASC_VERSION, compileAssemblyScript, readRuntimeSources } from './wasm-compile.js';
import { buildAssemblyScriptView, buildLoaderView, provenanceLine } from './wasm-view.js';

const TARGET_FOLDER = 'targets/wasm';

/** Output path of each template of the manifest. */
const TEMPLATE_OUTPUTS: Record<string, string> = {
  'templates/model.ts.mustache': 'src/model.ts',
  'templates/model.js.mustache': 'model.js',
  'templates/model.d.ts.mustache': 'model.d.ts',
  'templates/model-node.js.mustache': 'model-node.js',
  'templates/model-node.d.ts.mustache': 'model-node.d.ts',
};

export interface WasmTargetOptions {
  /** Whether the dot products use wasm SIMD (i32x4.dot_i16x8_s); false gives the scalar build. */
  simd: boolean;
}

function readManifest(): TargetManifest {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, TARGET_FOLDER, 'manifest.json'), 'utf8')) as TargetManifest;
  const expected = Object.keys(TEMPLATE_OUTPUTS).sort();
  assert(
    JSON.stringify([...manifest.templates].sort()) === JSON.stringify(expected),
    () => `${TARGET_FOLDER}/manifest.json lists ${manifest.templates.join(', ')}, but the wasm driver renders ${expected.join(', ')}`,
  );
  return manifest;
}

function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function emitWasm(context: EmitContext, options: WasmTargetOptions): Promise<EmittedFile[]> {
  readManifest();
  const model = context.qmodel;
  const plan = planLayers(model);
  const provenance = provenanceLine(model, context.compilerVersion);
  const render = (template: string, view: object): EmittedFile => ({
    path: TEMPLATE_OUTPUTS[template],
    contents: renderTemplate(`${TARGET_FOLDER}/${template}`, view),
  });

  const flags = ascArguments(options.simd);
  const modelSource = render('templates/model.ts.mustache', buildAssemblyScriptView(model, plan, {
    provenance,
    ascVersion: ASC_VERSION,
    ascArguments: flags,
  }));
  const runtimeSources = readRuntimeSources();
  const sources = new Map(runtimeSources);
  sources.set('model.ts', modelSource.contents as string);
  const compiled = await compileAssemblyScript(sources, 'model.ts', options.simd);
  const wasm = appendCustomSection(
    compiled,
    'rankcode',
    JSON.stringify({
      generator: `rankcode ${context.compilerVersion}`,
      assemblyscript: ASC_VERSION,
      model: model.name,
      sourceHash: model.sourceHash,
      simd: options.simd,
    }),
  );

  const loaderView = buildLoaderView(model, plan, { provenance, simd: options.simd, wasmSha256: sha256Hex(wasm) });
  const files: EmittedFile[] = [
    { path: 'model.wasm', contents: wasm },
    render('templates/model.js.mustache', loaderView),
    render('templates/model.d.ts.mustache', loaderView),
    render('templates/model-node.js.mustache', loaderView),
    render('templates/model-node.d.ts.mustache', loaderView),
    modelSource,
  ];
  for (const [path, text] of runtimeSources) {
    files.push({ path: `src/${path}`, contents: `// Copied from runtime-as/${path.slice('runtime/'.length)} of rankcode ${context.compilerVersion}.\n${text}` });
  }
  return files;
}

/** Creates a wasm target driver for the scalar or the SIMD build. */
export function createWasmTarget(options: WasmTargetOptions): TargetDriver {
  return {
    name: options.simd ? 'wasm' : 'wasm-scalar',
    emit: (context) => emitWasm(context, options),
  };
}

/** The wasm target with SIMD dot products (Node 20 runs wasm SIMD). */
export const wasmTarget: TargetDriver = createWasmTarget({ simd: true });
