import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../../common/errors.js';
import { setLogLevel } from '../../common/log.js';
import { selectBackend } from '../../trainer/backend.js';

async function nodeBackendInstalled(): Promise<boolean> {
  const specifier = '@tensorflow/tfjs-node';
  try {
    await import(specifier);
    return true;
  } catch {
    return false;
  }
}

before(() => setLogLevel('warn'));

test('named backends start', async () => {
  assert.equal(await selectBackend('cpu'), 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(await selectBackend('wasm'), 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
});

test('auto falls back past tfjs-node', async () => {
  const expected = (await nodeBackendInstalled()) ? 'tensorflow' : 'wasm';
  assert.equal(await selectBackend('auto'), expected);
  assert.equal(tf.getBackend(), expected);
});

test('missing tfjs-node is a user error', async (context) => {
  if (await nodeBackendInstalled()) {
    context.skip('@tensorflow/tfjs-node is installed here');
    return;
  }
  await assert.rejects(selectBackend('tensorflow'), (error: unknown) => {
    assert.ok(error instanceof UserError);
    assert.match(error.message, /backend tensorflow failed to start \(tensorflow: @tensorflow\/tfjs-node is not installed\); pass --backend auto/);
    return true;
  });
});
