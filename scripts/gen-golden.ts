/**
 * Regenerates the golden vectors in test/golden/*.json (`npm run golden`). Run it
 * after an intended change of the integer arithmetic or the quantizer, and commit
 * the new files together with that change.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../common/files.js';
import { log } from '../common/log.js';
import { PACKAGE_ROOT } from '../compiler/render.js';
import { generateGoldenFiles } from '../test/golden/generate.js';

const folder = join(PACKAGE_ROOT, 'test', 'golden');
for (const [name, contents] of generateGoldenFiles()) {
  writeFileAtomic(join(folder, name), contents);
  log.info(`wrote ${join('test', 'golden', name)} (${contents.length} bytes)`);
}
