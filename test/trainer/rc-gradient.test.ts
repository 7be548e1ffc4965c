import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { setLogLevel } from '../../common/log.js';
import { AdamOptimizer } from '../../trainer/adam.js';
import { selectBackend } from '../../trainer/backend.js';
import { DenseFrameSequences, type FrameSequences } from '../../trainer/data/frames.js';
import { disposeRcModel, trainableVariables, variableNames, type RcModel, type RcModelShape } from '../../trainer/model.js';
import { readOutputRow } from '../../trainer/output.js';
import { SeededRandom } from '../../trainer/random.js';
import { rcBatchLoss, scheduleBySpikeStep } from '../../trainer/rc-loss.js';
import { findSpikes } from '../../trainer/spike-search.js';
import { applyGradientStep } from '../../trainer/train-epoch.js';
import { randomModel, referenceLoss, referenceOutputs } from './reference-model.js';

const INPUT_SIZE = 12;
const FRAMES = 6;
const BATCH = 9;
const BETA = 0.3;
const SPIKE_STEPS = [6, 1, 3, 3, 6, 2, 5, 1, 4];

before(async () => {
  setLogLevel('warn');
  await selectBackend('wasm');
});

const BASE: RcModelShape = { inputSize: INPUT_SIZE, lstmUnits: [6], denseUnits: [], classes: 4, output: 'softmax', recurrentActivation: 'sigmoid' };

/** Every model form the trainer builds, with the noise spread of randomModel that keeps the reference precise. */
const FORMS: { name: string; shape: RcModelShape; spread: number }[] = [
  { name: 'one LSTM layer, softmax', shape: BASE, spread: 1.5 },
  { name: 'stacked LSTM layers', shape: { ...BASE, lstmUnits: [6, 5] }, spread: 1.5 },
  { name: 'Dense head', shape: { ...BASE, denseUnits: [7] }, spread: 1 },
  { name: 'one sigmoid unit', shape: { ...BASE, classes: 2, output: 'sigmoid' }, spread: 0.5 },
  { name: 'per-class sigmoid', shape: { ...BASE, output: 'sigmoid' }, spread: 0.5 },
  { name: 'hard_sigmoid gates', shape: { ...BASE, recurrentActivation: 'hard_sigmoid' }, spread: 1.5 },
  {
    name: 'stacked, head, sigmoid, hard_sigmoid',
    shape: { ...BASE, lstmUnits: [5, 6], denseUnits: [4, 3], classes: 2, output: 'sigmoid', recurrentActivation: 'hard_sigmoid' },
    spread: 0.5,
  },
];

/** Returns BATCH examples of uniform random values in [0, scale) and random labels. */
function randomSource(seed: number, classes: number, scale = 1): DenseFrameSequences {
  const random = new SeededRandom(seed);
  const values = Float32Array.from({ length: BATCH * FRAMES * INPUT_SIZE }, () => scale * random.nextFloat());
  const labels = Uint8Array.from({ length: BATCH }, () => random.nextInt(classes));
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

function gradients(model: RcModel, loss: () => tf.Scalar): { loss: number; grads: Float32Array[] } {
  const variables = trainableVariables(model);
  const { value, grads } = tf.variableGrads(loss, variables);
  const result = { loss: value.dataSync()[0], grads: variables.map((variable) => (grads[variable.name]?.dataSync() ?? new Float32Array(variable.size)) as Float32Array) };
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

for (const [index, form] of FORMS.entries()) {
  test(`batched gradient equals reference: ${form.name}`, () => {
    const model = randomModel(form.shape, 7 + index, form.spread);
    const source = randomSource(8 + index, form.shape.classes);
    const batched = gradients(model, () => rcBatchLoss(model, source, ALL_EXAMPLES, SPIKE_STEPS, BETA));
    const reference = gradients(model, () => referenceLoss(model, source, ALL_EXAMPLES, SPIKE_STEPS, BETA));
    assert.ok(Math.abs(batched.loss - reference.loss) < 1e-5, `loss ${batched.loss} differs from the reference ${reference.loss}`);
    const names = variableNames(form.shape);
    batched.grads.forEach((grad, v) => {
      const expected = reference.grads[v];
      const scale = Math.max(...Array.from(expected, Math.abs));
      assert.ok(scale > 1e-4, `reference gradient of ${names[v]} is zero`);
      for (let i = 0; i < grad.length; i++) {
        const error = Math.abs(grad[i] - expected[i]);
        assert.ok(error <= 1e-5 + 1e-4 * scale, `${names[v]}[${i}]: batched ${grad[i]}, reference ${expected[i]}`);
      }
    });
    disposeRcModel(model);
  });
}

test('batched gradient of a shuffled subset', () => {
  const form = FORMS[6];
  const model = randomModel(form.shape, 9, form.spread);
  const source = randomSource(10, form.shape.classes);
  const examples = [4, 0, 7, 2];
  const steps = examples.map((example) => SPIKE_STEPS[example]);
  const batched = gradients(model, () => rcBatchLoss(model, source, examples, steps, BETA));
  const reference = gradients(model, () => referenceLoss(model, source, examples, steps, BETA));
  batched.grads.forEach((grad, index) => {
    for (let i = 0; i < grad.length; i++) assert.ok(Math.abs(grad[i] - reference.grads[index][i]) <= 1e-5, `${variableNames(form.shape)[index]}[${i}]`);
  });
  disposeRcModel(model);
});

test('frames after spike leave gradient unchanged', () => {
  const form = FORMS[6];
  const model = randomModel(form.shape, 11, form.spread);
  const source = randomSource(12, form.shape.classes);
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
  disposeRcModel(model);
});

/** Returns the output rows [example][step][unit] of the reference pass over every frame. */
function allReferenceOutputs(model: RcModel, source: FrameSequences): number[][][] {
  return Array.from(ALL_EXAMPLES, (example) => {
    const steps = referenceOutputs(model, source, example, FRAMES);
    const rows = steps.map((scores) => Array.from(scores.dataSync()));
    tf.dispose(steps);
    return rows;
  });
}

/** Puts theta in the widest gap between the per-step confidences near their median, so float rounding cannot move an output across it. */
function thresholdInGap(confidences: number[]): number {
  const sorted = [...confidences].sort((a, b) => a - b);
  let threshold = 0;
  let widestGap = -1;
  for (let i = Math.floor(sorted.length / 3); i < Math.floor((2 * sorted.length) / 3); i++) {
    if (sorted[i + 1] - sorted[i] > widestGap) {
      widestGap = sorted[i + 1] - sorted[i];
      threshold = (sorted[i] + sorted[i + 1]) / 2;
    }
  }
  return threshold;
}

// The one-sigmoid-unit form gets examples that spike positive and negative; the deep form's outputs vary too little for that.
const SPIKE_FORMS = [
  { form: FORMS[0], bothSigns: false },
  { form: FORMS[1], bothSigns: false },
  { form: FORMS[3], bothSigns: true },
  { form: FORMS[4], bothSigns: false },
  { form: FORMS[6], bothSigns: false },
];

for (const { form, bothSigns } of SPIKE_FORMS) {
  test(`spike search matches reference: ${form.name}`, () => {
    const model = randomModel(form.shape, 14, form.spread);
    // Large inputs make the examples differ after the layers that follow the first one.
    const source = randomSource(15, form.shape.classes, 8);
    const outputs = allReferenceOutputs(model, source);
    const read = (row: number[], threshold: number) => readOutputRow(form.shape, row, 0, threshold);
    const threshold = thresholdInGap(outputs.flatMap((steps) => steps.map((row) => read(row, 1).confidence)));

    const result = findSpikes(model, source, ALL_EXAMPLES, { threshold });
    const expectedSteps: number[] = [];
    for (let example = 0; example < BATCH; example++) {
      const crossing = outputs[example].findIndex((row) => read(row, threshold).spiked);
      const spikeStep = crossing === -1 ? FRAMES : crossing + 1;
      expectedSteps.push(spikeStep);
      const expected = read(outputs[example][spikeStep - 1], threshold);
      assert.equal(result.spikeSteps[example], spikeStep, `example ${example}`);
      assert.equal(result.noSpike[example], crossing === -1 ? 1 : 0, `example ${example}`);
      assert.equal(result.predictions[example], expected.prediction, `example ${example}`);
      assert.ok(Math.abs(result.confidences[example] - expected.confidence) < 1e-5, `example ${example}`);
    }
    assert.ok(new Set(expectedSteps).size >= 3, `spike steps ${expectedSteps} do not vary enough to test the search`);
    if (bothSigns) {
      const spikedClasses = new Set(Array.from(result.predictions).filter((_, example) => result.noSpike[example] === 0));
      assert.deepEqual([...spikedClasses].sort(), [0, 1], 'the one-unit sigmoid test needs positive and negative spikes');
    }
    assert.equal(result.framesComputed, expectedSteps.reduce((sum, step) => sum + step, 0));

    const noisy = withNoiseAfterSpike(source, expectedSteps, 16);
    const noisyResult = findSpikes(model, noisy, ALL_EXAMPLES, { threshold });
    assert.deepEqual(noisyResult.spikeSteps, result.spikeSteps);
    assert.deepEqual(noisyResult.predictions, result.predictions);
    disposeRcModel(model);
  });
}

test('Adam step with an unused recurrent kernel', () => {
  const model = randomModel({ ...BASE, lstmUnits: [6, 5] }, 17);
  const source = randomSource(18, BASE.classes);
  const optimizer = new AdamOptimizer(0.01);
  const variables = trainableVariables(model);
  const recurrentBefore = model.lstm.map((layer) => layer.recurrentKernel.dataSync().slice());
  const kernelBefore = model.lstm[1].kernel.dataSync().slice();
  applyGradientStep(optimizer, variables, () => rcBatchLoss(model, source, ALL_EXAMPLES, new Array(BATCH).fill(1), 0));
  model.lstm.forEach((layer, i) => assert.deepEqual(layer.recurrentKernel.dataSync(), recurrentBefore[i], `layer ${i}`));
  assert.notDeepEqual(model.lstm[1].kernel.dataSync(), kernelBefore);

  const tensorsBefore = tf.memory().numTensors;
  applyGradientStep(optimizer, variables, () => rcBatchLoss(model, source, ALL_EXAMPLES, SPIKE_STEPS, 0));
  model.lstm.forEach((layer, i) => assert.notDeepEqual(layer.recurrentKernel.dataSync(), recurrentBefore[i], `layer ${i}`));
  applyGradientStep(optimizer, variables, () => rcBatchLoss(model, source, ALL_EXAMPLES, SPIKE_STEPS, 0));
  assert.equal(tf.memory().numTensors, tensorsBefore);
  optimizer.dispose();
  disposeRcModel(model);
});

test('clip norm scales the gradient', () => {
  const model = randomModel(BASE, 19);
  const source = randomSource(20, BASE.classes);
  const variables = trainableVariables(model);
  const loss = () => rcBatchLoss(model, source, ALL_EXAMPLES, SPIKE_STEPS, 0);
  const reference = gradients(model, loss);
  const norm = Math.sqrt(reference.grads.reduce((sum, grad) => sum + grad.reduce((s, g) => s + g * g, 0), 0));

  // Plain gradient descent with learning rate 1 makes the weight change equal to the applied gradient.
  const before = variables.map((variable) => variable.dataSync().slice());
  const descent = { applyGradients: (vars: tf.Variable[], grads: tf.Tensor[]) => tf.tidy(() => vars.forEach((v, i) => v.assign(tf.sub(v, grads[i])))) };
  const step = applyGradientStep(descent, variables, loss, norm / 4);
  assert.ok(step.clipped);
  assert.ok(Math.abs(step.gradientNorm - norm) <= 1e-4 * norm, `gradient norm ${step.gradientNorm}, expected ${norm}`);
  variables.forEach((variable, v) => {
    const after = variable.dataSync();
    for (let i = 0; i < after.length; i++) {
      const applied = before[v][i] - after[i];
      assert.ok(Math.abs(applied - reference.grads[v][i] / 4) <= 1e-6 + 1e-4 * Math.abs(reference.grads[v][i]), `${variableNames(BASE)[v]}[${i}]`);
    }
  });
  const unclipped = applyGradientStep(descent, variables, loss, 1e9);
  assert.equal(unclipped.clipped, false);
  disposeRcModel(model);
});
