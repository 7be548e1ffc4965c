/**
 * Builds the model fixtures in test/fixtures/<name>/ (`npm run fixtures`):
 * model.json, weights.bin and expected.json, the per-frame class probabilities
 * on fixed inputs. Models are built and saved with tfjs-layers on the cpu
 * backend, with seeded weights, so the same versions give the same files.
 *
 * The probabilities come from tfjs-layers `predict`, except where tfjs-layers
 * 4.22 cannot compute the model; expected.json names the source:
 * - GRU with reset_after true: tfjs-layers rejects it, so fixture-models.ts
 *   computes the Keras GRUCell equations with tfjs-core ops (float32).
 * - Keras 3 hard_sigmoid, relu6(x + 3) / 6: tfjs-layers only has the Keras 2
 *   form clip(0.2 x + 0.5, 0, 1). Since relu6(x + 3) / 6 = clip(0.2 (5x/6) + 0.5),
 *   predict runs on a copy whose gate columns i, f, o are scaled by 5/6.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { writeFileAtomic } from '../common/files.js';
import { log, setLogLevel } from '../common/log.js';
import { formatJson } from '../compiler/json-format.js';
import { PACKAGE_ROOT } from '../compiler/render.js';
import { FIXTURE_SPECS, buildFixture } from '../test/fixtures/fixture-models.js';

setLogLevel('info');
await tf.setBackend('cpu');
const folder = join(PACKAGE_ROOT, 'test', 'fixtures');
for (const spec of FIXTURE_SPECS) {
  const fixture = await buildFixture(spec);
  const target = join(folder, spec.name);
  writeFileAtomic(join(target, 'model.json'), `${JSON.stringify(fixture.modelJson, null, 1)}\n`);
  writeFileAtomic(join(target, 'weights.bin'), fixture.weights);
  writeFileAtomic(join(target, 'expected.json'), formatJson(fixture.expected));
  log.info(`wrote test/fixtures/${spec.name} (${fixture.weights.length} weight bytes, predictions from ${fixture.expected.source})`);
}
