import { mkdirSync, renameSync, writeFileSync, rmSync, statSync, type Stats } from 'node:fs';
import { UserError } from './errors.js';
import { dirname, basename, join } from 'node:path';

/**
 * Writes a file atomically: the data goes to a temporary file in the same folder,
 * which is then renamed over the target. A crash leaves either the old file or the
 * new one, never a partial file.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Returns the stats of `path`, or undefined when it does not exist. Throws a UserError when a parent of it is a file. */
function statOutputPath(path: string, option: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') throw new UserError(`${option} ${path} is invalid: a parent folder in it is a file; choose another ${option}.`);
    throw error;
  }
}

/** Throws a UserError when the output folder `path` cannot be created or used because a file is there. */
export function checkOutputFolderPath(path: string, option = '--out'): void {
  const stats = statOutputPath(path, option);
  if (stats !== undefined && !stats.isDirectory()) {
    throw new UserError(`${option} ${path} is an existing file, not a folder; pass a folder path, or remove the file.`);
  }
}

/** Throws a UserError when the output file `path` cannot be written because a folder is there. */
export function checkOutputFilePath(path: string, option = '--out'): void {
  const stats = statOutputPath(path, option);
  if (stats !== undefined && stats.isDirectory()) {
    throw new UserError(`${option} ${path} is a folder, not a file; pass the path of a file to write, such as ${join(path, 'result.json')}.`);
  }
}
