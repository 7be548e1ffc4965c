/** Reads the committed golden files of test/golden, and optionally those of its networks/ subfolder. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../compiler/render.js';
import { type GoldenFile, NETWORK_GOLDEN_FOLDER } from './generate.js';

export const GOLDEN_FOLDER = join(PACKAGE_ROOT, 'test', 'golden');

/**
 * Returns every golden file, sorted by path: the one-LSTM models of
 * test/golden/*.json and, with `networks`, the layer stacks of test/golden/networks/.
 */
export function readGoldenFiles(options: { networks: boolean }): { file: string; golden: GoldenFile }[] {
  const folders = options.networks ? ['', `${NETWORK_GOLDEN_FOLDER}/`] : [''];
  return folders
    .flatMap((folder) => {
      const path = join(GOLDEN_FOLDER, folder);
      return existsSync(path) ? readdirSync(path).filter((name) => name.endsWith('.json')).map((name) => `${folder}${name}`) : [];
    })
    .sort()
    .map((file) => ({ file, golden: JSON.parse(readFileSync(join(GOLDEN_FOLDER, file), 'utf8')) as GoldenFile }));
}
