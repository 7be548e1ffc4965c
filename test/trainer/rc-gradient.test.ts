import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { setLogLevel } from '../../common/log.js';
import { selectBackend } from '../../trainer/backend.js';
import { DenseFrameSequences, type FrameSequences } from '../../trainer/data/frames.js';
import { createRcLstm, initRcLstmWeights, trainableVariables, type RcLstm } from '../../trainer/model.js';
import { SeededRandom } from '../../trainer/random.js';
import { rcBatchLoss, scheduleBySpikeStep } from '../../trainer/rc-loss.js';
import { findSpikes } from '../../trainer/spike-search.js';
import { applyGradientStep } from '../../trainer/train-epoch.js';

const INPUT_SIZE = 12;
const UNITS = 6;
const CLASSES = 4;
const FRAMES = 6;
const BATCH = 9;
const BETA = 0.3;
const SPIKE_STEPS = [6, 1, 3, 3, 6, 2, 5, 1, 4];

before(async () => {
  setLogLevel('warn');
  await selectBackend('wasm');
});

/** Creates a small model with random, non-zero biases so that every weight matters. */
function randomModel(seed: number): RcLstm {
  const weights = initRcLstmWeights({ inputSize: INPUT_SIZE, units: UNITS, classes: CLASSES }, seed);
  const random = new SeededRandom(seed + 100);
  for (const values of [weights.bias, weights.denseBias, weights.denseKernel]) {
    for (let i = 0; i < values.length; i++) values[i] += 1.5 * random.nextNormal();
  }
  return createRcLstm(weights);
}

function randomSource(seed: number): DenseFrameSequences {
  const random = new SeededRandom(seed);
  const values = Float32Array.from({ length: BATCH * FRAMES * INPUT_SIZE }, () => random.nextFloat());
  const labels = Uint8Array.from({ length: BATCH }, () => random.nextInt(CLASSES));
  return new DenseFrameSequences(values, labels, BATCH, FRAMES);
}

/** Copies `source`, replacing every frame after each example's spike step with new random values. */
function withNoiseAfterSpike(source: DenseFrameSequences, spikeSteps: number[], seed: number): DenseFrameSequences {
  const random = new SeededRandom(seed);
  const values = source.values.slice();
  for (let example = 0; example < BATCH; example++) {
    for (let step = spikeSteps[example]; step < FRAMES; step++) {
      const start = (example * FRAMES + step) * INPUT_SIZE;
      for (let i = 0; i < INPUT_SIZE; i++) values[start + i] = 10 * random.nextNormal();
    }
  }
  return new DenseFrameSequences(values, source.labels, BATCH, FRAMES);
}

/**
 * Returns the softmax outputs [steps][classes] of one example, one frame at a time,
 * written with plain tf ops independently of the trainer's model code.
 */
function referenceOutputs(model: RcLstm, source: FrameSequences, example: number, steps: number): tf.Tensor2D[] {
  const outputs: tf.Tensor2D[] = [];
  let h: tf.Tensor2D = tf.zeros([1, UNITS]);
  let c: tf.Tensor2D = tf.zeros([1, UNITS]);
  for (let step = 0; step < steps; step++) {
    const frame = new Float32Array(INPUT_SIZE);
    source.writeFrame(example, step, frame, 0);
    const z = tf.add(tf.add(tf.matMul(tf.tensor2d(frame, [1, INPUT_SIZE]), model.kernel), tf.matMul(h, model.recurrentKernel)), model.bias);
    const gate = (index: number) => tf.slice(z, [0, index * UNITS], [1, UNITS]);
    c = tf.add(tf.mul(tf.sigmoid(gate(1)), c), tf.mul(tf.sigmoid(gate(0)), tf.tanh(gate(2))));
    h = tf.mul(tf.sigmoid(gate(3)), tf.tanh(c));
    outputs.push(tf.softmax(tf.add<tf.Tensor2D>(tf.matMul(h, model.denseKernel), model.denseBias)));
  }
  return outputs;
}

/** Reference RC loss: one example at a time, CE - beta * H at its spike step, averaged over the batch. */
function referenceLoss(model: RcLstm, source: FrameSequences, spikeSteps: number[]): tf.Scalar {
  const losses = spikeSteps.map((spikeStep, example) => {
    const probabilities = referenceOutputs(model, source, example, spikeStep)[spikeStep - 1];
    const logProbabilities = tf.log(probabilities);
    const crossEntropy = tf.neg(tf.sum(tf.mul(tf.oneHot([source.labels[example]], CLASSES), logProbabilities)));
    const entropy = tf.neg(tf.sum(tf.mul(probabilities, logProbabilities)));
    return tf.sub(crossEntropy, tf.mul(BETA, entropy));
  });
  return tf.div(tf.addN(losses), spikeSteps.length) as tf.Scalar;
}

function gradients(model: RcLstm, loss: () => tf.Scalar): { loss: number; grads: Float32Array[] } {
  const variables = trainableVariables(model);
  const { value, grads } = tf.variableGrads(loss, variables);
  const result = { loss: value.dataSync()[0], grads: variables.map((variable) => grads[variable.name].dataSync() as Float32Array) };
  tf.dispose([value, ...Object.values(grads)]);
  return result;
}

const ALL_EXAMPLES = Int32Array.from({ length: BATCH }, (_, i) => i);

test('spike schedule sorts and counts', () => {
  const schedule = scheduleBySpikeStep([2, 5, 1, 5, 3]);
  assert.deepEqual(Array.from(schedule.order), [1, 3, 4, 0, 2]);
  assert.deepEqual(Array.from(schedule.activeCounts), [5, 4, 3, 2, 2, 0]);
  assert.equal(schedule.totalFrames, 16);
});

test('batched gradient equals per-example reference', () => {
  const model = randomModel(7);
  const source = randomSource(8);
  const batched = gradients(model, () => rcBatchLoss(model, source, ALL_EXAMPLES, SPIKE_STEPS, BETA));
  const reference = gradients(model, () => referenceLoss(model, source, SPIKE_STEPS));
  assert.ok(Math.abs(batched.loss - reference.loss) < 1e-5, `loss ${batched.loss} differs from the reference ${reference.loss}`);
  const names = ['kernel', 'recurrentKernel', 'bias', 'denseKernel', 'denseBias'];
  batched.grads.forEach((grad, index) => {
    const expected = reference.grads[index];
    const scale = Math.max(...Array.from(expected, Math.abs));
    assert.ok(scale > 1e-4, `reference gradient of ${names[index]} is zero`);
    for (let i = 0; i < grad.length; i++) {
      const error = Math.abs(grad[i] - expected[i]);
      assert.ok(error <= 1e-5 + 1e-4 * scale, `${names[index]}[${i}]: batched ${grad[i]}, reference ${expected[i]}`);
    }
  });
});

test('batched gradient of a shuffled subset', () => {
  const model = randomModel(9);
  const source = randomSource(10);
  const examples = [4, 0, 7, 2];
  const steps = examples.map((example) => SPIKE_STEPS[example]);
  const batched = gradients(model, () => rcBatchLoss(model, source, examples, steps, BETA));
  const subset = new DenseFrameSequences(
    new Float32Array(examples.flatMap((example) => Array.from(source.values.subarray(example * FRAMES * INPUT_SIZE, (example + 1) * FRAMES * INPUT_SIZE)))),
    Uint8Array.from(examples, (example) => source.labels[example]),
    examples.length,
    FRAMES,
  );
  const reference = gradients(model, () => referenceLoss(model, subset, steps));
  batched.grads.forEach((grad, index) => {
    for (let i = 0; i < grad.length; i++) assert.ok(Math.abs(grad[i] - reference.grads[index][i]) <= 1e-5);
  });
});

test('frames after spike leave gradient unchanged', () => {
  const model = randomModel(11);
  const source = randomSource(12);
  const noisy = withNoiseAfterSpike(source, SPIKE_STEPS, 13);
  assert.notDeepEqual(noisy.values, source.values);
  const clean = gradients(model, () => rcBatchLoss(model, source, ALL_EXAMPLES, SPIKE_STEPS, BETA));
  const changed = gradients(model, () => rcBatchLoss(model, noisy, ALL_EXAMPLES, SPIKE_STEPS, BETA));
  assert.equal(changed.loss, clean.loss);
  changed.grads.forEach((grad, index) => assert.deepEqual(grad, clean.grads[index]));

  // The same noise does change the EOS loss, which reads every frame.
  const lastStep = new Array(BATCH).fill(FRAMES);
  const eosClean = gradients(model, () => rcBatchLoss(model, source, ALL_EXAMPLES, lastStep, BETA));
  const eosChanged = gradients(model, () => rcBatchLoss(model, noisy, ALL_EXAMPLES, lastStep, BETA));
  assert.notEqual(eosChanged.loss, eosClean.loss);
});

test('spike search matches reference outputs', () => {
  const model = randomModel(14);
  const source = randomSource(15);
  const outputs = ALL_EXAMPLES.reduce<number[][][]>((all, example) => {
    const steps = referenceOutputs(model, source, example, FRAMES);
    all.push(steps.map((probabilities) => Array.from(probabilities.dataSync())));
    tf.dispose(steps);
    return all;
  }, []);

  // Put theta in the widest gap between the per-step maxima near their median, so
  // float rounding cannot move an output across it.
  const maxima = outputs.flatMap((steps) => steps.map((probabilities) => Math.max(...probabilities))).sort((a, b) => a - b);
  let threshold = 0;
  let widestGap = -1;
  for (let i = Math.floor(maxima.length / 3); i < Math.floor((2 * maxima.length) / 3); i++) {
    if (maxima[i + 1] - maxima[i] > widestGap) {
      widestGap = maxima[i + 1] - maxima[i];
      threshold = (maxima[i] + maxima[i + 1]) / 2;
    }
  }

  const result = findSpikes(model, source, ALL_EXAMPLES, { threshold });
  const expectedSteps: number[] = [];
  for (let example = 0; example < BATCH; example++) {
    const crossing = outputs[example].findIndex((probabilities) => Math.max(...probabilities) >= threshold);
    const spikeStep = crossing === -1 ? FRAMES : crossing + 1;
    expectedSteps.push(spikeStep);
    const probabilities = outputs[example][spikeStep - 1];
    assert.equal(result.spikeSteps[example], spikeStep, `example ${example}`);
    assert.equal(result.noSpike[example], crossing === -1 ? 1 : 0, `example ${example}`);
    assert.equal(result.predictions[example], probabilities.indexOf(Math.max(...probabilities)), `example ${example}`);
    assert.ok(Math.abs(result.confidences[example] - Math.max(...probabilities)) < 1e-5);
  }
  assert.ok(new Set(expectedSteps).size >= 3, `spike steps ${expectedSteps} do not vary enough to test the search`);
  assert.equal(result.framesComputed, expectedSteps.reduce((sum, step) => sum + step, 0));

  const noisy = withNoiseAfterSpike(source, expectedSteps, 16);
  const noisyResult = findSpikes(model, noisy, ALL_EXAMPLES, { threshold });
  assert.deepEqual(noisyResult.spikeSteps, result.spikeSteps);
  assert.deepEqual(noisyResult.predictions, result.predictions);
});

test('Adam step with an unused recurrent kernel', () => {
  const model = randomModel(17);
  const source = randomSource(18);
  const optimizer = tf.train.adam(0.01);
  const variables = trainableVariables(model);
  const recurrentBefore = model.recurrentKernel.dataSync().slice();
  const kernelBefore = model.kernel.dataSync().slice();
  applyGradientStep(optimizer, variables, () => rcBatchLoss(model, source, ALL_EXAMPLES, new Array(BATCH).fill(1), 0));
  assert.deepEqual(model.recurrentKernel.dataSync(), recurrentBefore);
  assert.notDeepEqual(model.kernel.dataSync(), kernelBefore);

  const tensorsBefore = tf.memory().numTensors;
  applyGradientStep(optimizer, variables, () => rcBatchLoss(model, source, ALL_EXAMPLES, SPIKE_STEPS, 0));
  assert.notDeepEqual(model.recurrentKernel.dataSync(), recurrentBefore);
  applyGradientStep(optimizer, variables, () => rcBatchLoss(model, source, ALL_EXAMPLES, SPIKE_STEPS, 0));
  assert.equal(tf.memory().numTensors, tensorsBefore);
  optimizer.dispose();
});
