/**
 * Writes compiled targets to disk. Every driver renders its files in memory
 * first, so a failing target leaves no partial output; then each file is
 * written atomically. Every output folder also gets qmodel.json (the quantized
 * model) and report.json (the compile report).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { UserError, assert } from '../common/errors.js';
import { writeFileAtomic } from '../common/files.js';
import { log } from '../common/log.js';
import { prefixFromModelName, validatePrefix } from './c-syntax.js';
import { formatJson } from './json-format.js';
import type { QModel } from './qmodel.js';
import { readPackageVersion } from './render.js';
import type { CompileReport } from './report.js';
import type { EmittedFile } from './target.js';
import { findTarget } from './targets/index.js';

export interface EmitOptions {
  /** Target names, in the order given by the user. */
  targets: string[];
  /** Output folder: the folder itself for one target, the parent of one folder per target for several. */
  outDir: string;
  /** Overwrite files in an output folder that is not empty. */
  force: boolean;
  /** Symbol prefix; derived from the model name when absent. */
  prefix?: string;
}

export interface EmittedTarget {
  target: string;
  folder: string;
  files: string[];
}

/** Returns the user's prefix after validating it, or one derived from the model name. */
export function resolvePrefix(qmodel: QModel, prefix: string | undefined): string {
  return prefix === undefined ? prefixFromModelName(qmodel.name) : validatePrefix(prefix);
}

function checkOutputFolder(folder: string, force: boolean): string[] {
  if (!existsSync(folder)) return [];
  if (!statSync(folder).isDirectory()) throw new UserError(`output path ${folder} exists and is not a folder; choose another --out.`);
  const entries = readdirSync(folder);
  if (entries.length > 0 && !force) {
    throw new UserError(`output folder ${folder} is not empty; pass --force to overwrite its files or choose another --out.`);
  }
  return entries;
}

function checkRelativePath(path: string): void {
  const normalized = normalize(path);
  assert(!isAbsolute(path) && normalized !== '..' && !normalized.startsWith(`..${sep}`), () => `driver emitted the path ${path} outside its folder`);
}

/** Emits every target of `options` and writes the files; returns what was written where. */
export async function emitTargets(qmodel: QModel, report: CompileReport, options: EmitOptions): Promise<EmittedTarget[]> {
  const unique = [...new Set(options.targets)];
  if (unique.length === 0) throw new UserError('no target given; pass --target with one or more of the available targets.');
  const drivers = unique.map(findTarget);
  const prefix = resolvePrefix(qmodel, options.prefix);
  const compilerVersion = readPackageVersion();

  const planned: { target: string; folder: string; existing: string[]; files: EmittedFile[] }[] = [];
  for (const driver of drivers) {
    const folder = resolve(unique.length === 1 ? options.outDir : join(options.outDir, driver.name));
    const existing = checkOutputFolder(folder, options.force);
    const files = await driver.emit({ qmodel, prefix, compilerVersion });
    files.push({ path: 'qmodel.json', contents: formatJson(qmodel) });
    files.push({ path: 'report.json', contents: formatJson({ ...report, target: driver.name, prefix, compilerVersion }) });
    for (const file of files) checkRelativePath(file.path);
    assert(new Set(files.map((file) => file.path)).size === files.length, () => `target ${driver.name} emitted a path twice`);
    planned.push({ target: driver.name, folder, existing, files });
  }

  const written: EmittedTarget[] = [];
  for (const { target, folder, existing, files } of planned) {
    for (const file of files) writeFileAtomic(join(folder, file.path), file.contents);
    const paths = files.map((file) => file.path);
    const topLevel = new Set(paths.map((path) => path.split('/')[0]));
    const leftOver = existing.filter((name) => !topLevel.has(name));
    if (leftOver.length > 0) log.warn(`${folder} still contains files from before that this compile did not write: ${leftOver.join(', ')}.`);
    log.info(`wrote ${files.length} files for target ${target} to ${folder}`);
    written.push({ target, folder, files: paths });
  }
  return written;
}
