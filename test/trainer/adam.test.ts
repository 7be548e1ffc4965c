import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { setLogLevel } from '../../common/log.js';
import { AdamOptimizer } from '../../trainer/adam.js';
import { selectBackend } from '../../trainer/backend.js';
import { SeededRandom } from '../../trainer/random.js';

before(async () => {
  setLogLevel('warn');
  await selectBackend('wasm');
});

const SHAPES = [[5, 3], [3], [2, 2]];

function makeVariables(seed: number): tf.Variable[] {
  const random = new SeededRandom(seed);
  return SHAPES.map((shape) => tf.variable(tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b) }, () => random.nextNormal()), shape)));
}

/** Returns the gradients of step `step`: deterministic values that change sign and size from step to step, and one all-zero gradient at step 1. */
function makeGradients(step: number): tf.Tensor[] {
  const random = new SeededRandom(1000 + step);
  return SHAPES.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b);
    const values = Array.from({ length: size }, () => (i === 2 && step === 1 ? 0 : random.nextNormal() * 10 ** (step % 3)));
    return tf.tensor(values, shape);
  });
}

function values(variables: tf.Variable[]): Float32Array[] {
  return variables.map((variable) => variable.dataSync() as Float32Array);
}

const STEPS = 6;

test('Adam equals tf.train.adam bit for bit', () => {
  const ours = makeVariables(1);
  const theirs = makeVariables(1);
  const optimizer = new AdamOptimizer(0.01);
  const reference = tf.train.adam(0.01);
  for (let step = 0; step < STEPS; step++) {
    const gradients = makeGradients(step);
    optimizer.applyGradients(ours, gradients);
    reference.applyGradients(theirs.map((variable, i) => ({ name: variable.name, tensor: gradients[i] })));
    tf.dispose(gradients);
    assert.deepEqual(values(ours), values(theirs), `step ${step}`);
  }
  optimizer.dispose();
  reference.dispose();
  tf.dispose([...ours, ...theirs]);
});

test('restored Adam state continues exactly', () => {
  const uninterrupted = makeVariables(2);
  const optimizer = new AdamOptimizer(0.003);
  for (let step = 0; step < STEPS; step++) {
    const gradients = makeGradients(step);
    optimizer.applyGradients(uninterrupted, gradients);
    tf.dispose(gradients);
  }

  const resumed = makeVariables(2);
  const first = new AdamOptimizer(0.003);
  for (let step = 0; step < STEPS / 2; step++) {
    const gradients = makeGradients(step);
    first.applyGradients(resumed, gradients);
    tf.dispose(gradients);
  }
  const state = first.getState();
  assert.equal(state.iterations, STEPS / 2);
  first.dispose();
  const second = new AdamOptimizer(0.003);
  second.setState(state, resumed);
  for (let step = STEPS / 2; step < STEPS; step++) {
    const gradients = makeGradients(step);
    second.applyGradients(resumed, gradients);
    tf.dispose(gradients);
  }
  assert.deepEqual(values(resumed), values(uninterrupted));
  assert.deepEqual(second.getState(), optimizer.getState());

  const tensorsBefore = tf.memory().numTensors;
  second.setState(state, resumed);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'setState disposes the moments it replaces');
  optimizer.dispose();
  second.dispose();
  tf.dispose([...uninterrupted, ...resumed]);
});
