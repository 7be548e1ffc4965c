/**
 * Compiles the generated AssemblyScript of a model to model.wasm with the
 * AssemblyScript compiler's programmatic API. Sources are served from memory:
 * the generated model.ts plus the runtime kernels of runtime-as/ under runtime/,
 * the same layout the target writes to the output folder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import asc from 'assemblyscript/asc';
import { PACKAGE_ROOT } from '../render.js';

/** Kernel files of runtime-as/ that a model module imports, in the order they are emitted. */
export const RUNTIME_SOURCE_FILES = ['fixed-point.ts', 'dot.ts', 'matrix.ts', 'gates.ts', 'lstm.ts', 'gru.ts', 'dense.ts', 'spike.ts', 'memory.ts', 'stream.ts'];

/** Version of the AssemblyScript compiler in use, recorded in the provenance of model.wasm. */
export const ASC_VERSION: string = asc.version;

/**
 * Compiler flags of model.wasm: the stub runtime (the code allocates nothing),
 * no abort import, speed optimization level 3 and, for the SIMD build, the
 * SIMD feature that switches the dot products to i32x4.dot_i16x8_s.
 */
export function ascArguments(simd: boolean): string[] {
  const flags = ['--runtime', 'stub', '--use', 'abort=', '--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert'];
  if (simd) flags.push('--enable', 'simd');
  return flags;
}

/** Reads the runtime kernels, keyed by their path in the output folder (runtime/<file>). */
export function readRuntimeSources(): Map<string, string> {
  const sources = new Map<string, string>();
  for (const file of RUNTIME_SOURCE_FILES) {
    sources.set(`runtime/${file}`, readFileSync(join(PACKAGE_ROOT, 'runtime-as', file), 'utf8'));
  }
  return sources;
}

/**
 * Compiles `entry` from the in-memory `sources` and returns the wasm bytes.
 * A compile error means the template or the runtime is broken, not the model,
 * so it is thrown as an internal error with the compiler's diagnostics.
 */
export async function compileAssemblyScript(sources: Map<string, string>, entry: string, simd: boolean): Promise<Uint8Array> {
  let binary: Uint8Array | undefined;
  const diagnostics: string[] = [];
  const output = {
    write(chunk: Uint8Array | string): void {
      diagnostics.push(typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk));
    },
  };
  const result = await asc.main([entry, '--outFile', 'model.wasm', ...ascArguments(simd)], {
    stdout: output,
    stderr: output,
    readFile: (name: string) => sources.get(name) ?? null,
    writeFile: (name: string, contents: Uint8Array | string) => {
      if (name === 'model.wasm' && typeof contents !== 'string') binary = contents;
    },
    listFiles: () => [],
  });
  if (result.error !== null || binary === undefined) {
    const detail = diagnostics.join('').trim();
    throw new Error(`internal error: AssemblyScript failed to compile ${entry}: ${result.error?.message ?? 'no output'}\n${detail}`);
  }
  return binary;
}

function encodeUnsignedLeb128(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return bytes;
}

/**
 * Appends a custom section (id 0) to a wasm binary. Custom sections may follow
 * any section and engines ignore their contents, so the module behaves the same.
 */
export function appendCustomSection(wasm: Uint8Array, name: string, payload: string): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const payloadBytes = new TextEncoder().encode(payload);
  const body = [...encodeUnsignedLeb128(nameBytes.length), ...nameBytes, ...payloadBytes];
  const section = Uint8Array.from([0, ...encodeUnsignedLeb128(body.length), ...body]);
  const out = new Uint8Array(wasm.length + section.length);
  out.set(wasm, 0);
  out.set(section, wasm.length);
  return out;
}
