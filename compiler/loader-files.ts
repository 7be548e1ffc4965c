/**
 * File access of the model loader: reads model.json and weight shards with
 * size limits, strict UTF-8, a bounded JSON nesting depth and shard paths that
 * cannot leave the model's folder. Nothing here writes to disk.
 */
import { closeSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { UserError } from '../common/errors.js';
import { MAX_JSON_DEPTH, MAX_MODEL_JSON_BYTES } from './loader-limits.js';

export interface ModelJsonFile {
  /** The raw bytes of model.json, hashed into the source hash. */
  bytes: Buffer;
  json: Record<string, unknown>;
  /** Real path (symbolic links resolved) of the folder of model.json. Every shard must lie inside it. */
  folder: string;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Shortens JSON text of a value for a message, so that a huge value cannot flood the terminal. */
export function briefJson(value: unknown, maxLength = 120): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) return String(value);
  return text.length <= maxLength ? text : `${text.slice(0, maxLength)}...`;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * Reads exactly `size` bytes of a regular file into `target` at `offset`, and
 * checks that the file ends there. A file that changed size since it was
 * checked is rejected instead of read in part.
 */
export function readExactly(path: string, size: number, target: Buffer, offset: number): void {
  const fd = openSync(path, 'r');
  try {
    let done = 0;
    while (done < size) {
      const count = readSync(fd, target, offset + done, size - done, null);
      if (count === 0) break;
      done += count;
    }
    const extra = readSync(fd, Buffer.alloc(1), 0, 1, null);
    if (done !== size || extra !== 0) {
      throw new UserError(`file ${path} changed size while rc-compile read it; run rc-compile again once nothing writes to it.`);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Returns the deepest nesting of arrays and objects in JSON text, stopping as
 * soon as it exceeds `limit`. Brackets inside strings do not count. The scan
 * is iterative, so any depth is measured without recursion.
 */
export function jsonNestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (inString) {
      if (c === 0x5c) k++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * Reads and parses model.json: at most MAX_MODEL_JSON_BYTES of strict UTF-8
 * with at most MAX_JSON_DEPTH levels of nesting, holding one JSON object.
 */
export function readModelJson(modelPath: string): ModelJsonFile {
  const stats = statOrUndefined(modelPath);
  if (stats === undefined) throw new UserError(`model file ${modelPath} not found; pass the path of a model.json.`);
  if (stats.isDirectory()) throw new UserError(`model file ${modelPath} is a folder; pass the path of the model.json inside it.`);
  if (!stats.isFile()) throw new UserError(`model file ${modelPath} is not a regular file; pass the path of a model.json.`);
  if (stats.size > MAX_MODEL_JSON_BYTES) {
    throw new UserError(
      `model file ${modelPath} has ${stats.size} bytes, more than the ${MAX_MODEL_JSON_BYTES} bytes rc-compile reads; ` +
        'a layers-model model.json holds the topology only, with the weights in separate shard files.',
    );
  }
  const bytes = Buffer.alloc(stats.size);
  readExactly(modelPath, stats.size, bytes, 0);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`model file ${modelPath} is not valid UTF-8 text; save model.json as UTF-8.`);
  }
  const depth = jsonNestingDepth(text, MAX_JSON_DEPTH);
  if (depth > MAX_JSON_DEPTH) {
    throw new UserError(`model file ${modelPath} nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep; it is not a TensorFlow.js model.json.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`model file ${modelPath} is not valid JSON (${(error as Error).message}).`);
  }
  if (!isObject(json)) throw new UserError(`model file ${modelPath} does not contain a JSON object; expected a TensorFlow.js model.json.`);
  return { bytes, json, folder: realpathSync(dirname(resolve(modelPath))) };
}

/** A weight shard that passed the path checks, with its size at the time of the check. */
export interface ShardFile {
  /** The path as listed in weightsManifest. */
  listed: string;
  /** Real path inside the model's folder. */
  path: string;
  size: number;
}

function describeShardProblem(listed: string): string | undefined {
  if (listed === '') return 'is empty';
  if (listed.includes('\0')) return 'contains a NUL character';
  if (/^[a-zA-Z]:/.test(listed)) return /^[a-zA-Z]:[\\/]/.test(listed) || listed.length === 2 ? 'is an absolute Windows path' : 'is a drive-relative Windows path';
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(listed)) return 'is a URL; rc-compile reads shards from the model folder only';
  if (listed.startsWith('/') || listed.startsWith('\\')) return 'is an absolute path';
  if (listed.split(/[\\/]/).includes('..')) return 'contains ".." and so could leave the model folder';
  return undefined;
}

/**
 * Checks a shard path listed in weightsManifest and returns the shard. The path
 * must be relative, without "..", and its real path (symbolic links resolved)
 * must lie inside the model's folder and name a regular file.
 */
export function resolveShard(folder: string, listed: string): ShardFile {
  const quotedPath = briefJson(listed);
  const problem = describeShardProblem(listed);
  if (problem !== undefined) {
    throw new UserError(`weight shard path ${quotedPath} in weightsManifest ${problem}; shard paths must be relative paths inside the model folder.`);
  }
  const joined = resolve(folder, listed);
  let real: string;
  try {
    real = realpathSync(joined);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') {
      throw new UserError(`weight shard ${quotedPath} listed in model.json not found at ${joined}.`);
    }
    throw error;
  }
  const inside = real === folder || real.startsWith(folder.endsWith(sep) ? folder : folder + sep);
  if (!inside) {
    throw new UserError(
      `weight shard ${quotedPath} resolves to ${real}, outside the model folder ${folder} (through a symbolic link); ` +
        'copy the shard into the model folder.',
    );
  }
  const stats = statSync(real);
  if (!stats.isFile()) throw new UserError(`weight shard ${quotedPath} at ${real} is not a regular file.`);
  return { listed, path: real, size: stats.size };
}
