/**
 * Builds the golden vectors: small seeded float models, quantized, run by the
 * integer reference simulator on seeded int8 sequences. scripts/gen-golden.ts
 * writes them to test/golden/*.json, and golden.test.ts checks that the committed
 * files still equal what this module builds.
 */
import { formatJson } from '../../compiler/json-format.js';
import { GATE_FRAC_BITS, INT16_MAX, INT32_MAX, INT32_MIN, STATE_FRAC_BITS, requantize } from '../../compiler/fixed-point.js';
import type { QLstmLayer, QModel } from '../../compiler/qmodel.js';
import { quantizeModel } from '../../compiler/quantize.js';
import { ReferenceSimulator, lstmStep, quantizeInput } from '../../compiler/simulator.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../compiler/loader.js';
import { PACKAGE_ROOT } from '../../compiler/render.js';
import type { FixtureExpectation } from '../fixtures/fixture-models.js';
import { GoldenRandom, type RandomModelSpec, type RandomNetworkSpec, randomFloatModel, randomNetwork } from './random-model.js';
import { type FrameSource, alternatingExtremes, fullInt8Range, fullScale, sparseBinary, uniform, zeros } from './frame-sources.js';
import { NETWORK_SPECS, SIGMOID_OUTPUT_SPECS } from './network-specs.js';

export interface GoldenCase {
  name: string;
  /** int8 input frames; a runtime stops reading them at the spike. */
  frames: number[][];
  /** Q.12 logits after every computed frame (the frames up to and including the spike). */
  logits: number[][];
  spiked: boolean;
  /** 1-based spike step, or the last frame when no frame spiked. */
  step: number;
  classIndex: number;
  /** Score of the class in Q0.15: the top softmax probability or the class's sigmoid output. */
  confidence: number;
  framesComputed: number;
}

export interface GoldenFile {
  format: 'rankcode-golden';
  version: 1;
  description: string;
  qmodel: QModel;
  cases: GoldenCase[];
}

/**
 * spike-by-3: spikes at frame 1, 2 or 3. no-spike: runs all frames.
 * spike-positive, spike-negative: a one-unit sigmoid output spikes with class 1 (z >= L) or class 0 (z <= -L).
 * cell-beyond-tanh-range: some |c| exceeds 8.0, so sat16 clips the tanh input.
 * gates-saturated: some gate pre-activation falls outside int16 before sat16.
 * logits-at-int32-limits: some logit saturates at INT32_MIN or INT32_MAX.
 * gates-beyond-hard-sigmoid-range: some first-layer LSTM gate pre-activation reaches |a| >= 3.0,
 * where both hard sigmoids give exactly 0 or 1.0.
 */
type Expectation =
  | 'spike-by-3'
  | 'no-spike'
  | 'spike-positive'
  | 'spike-negative'
  | 'cell-beyond-tanh-range'
  | 'gates-saturated'
  | 'logits-at-int32-limits'
  | 'gates-beyond-hard-sigmoid-range';

export interface CaseSpec {
  name: string;
  frames: number;
  source: FrameSource;
  /** What the case is for; the generator throws when the outcome differs. */
  expect?: Expectation[];
}

export interface GoldenSpec {
  /** One LSTM and one dense layer (RandomModelSpec), or any layer stack (RandomNetworkSpec). */
  model: RandomModelSpec | RandomNetworkSpec;
  /** Width of the quantized weights; 8 unless stated. */
  weightBits?: 8 | 16;
  description: string;
  cases: CaseSpec[];
}

const BASE = { inputMin: -1, inputMax: 1, biasStd: 0.5, forgetBias: 1 };

export const GOLDEN_SPECS: GoldenSpec[] = [
  {
    description: 'inputs 12, units 8, classes 4, moderate weights',
    model: { ...BASE, name: 'small', seed: 1, inputSize: 12, units: 8, classes: 4, kernelStd: 0.3, recurrentStd: 0.3, denseStd: 1.5, threshold: 0.9 },
    cases: [
      { name: 'uniform', frames: 30, source: uniform },
      { name: 'zeros', frames: 30, source: zeros, expect: ['no-spike'] },
      { name: 'full-scale', frames: 30, source: fullScale },
      { name: 'alternating-extremes', frames: 30, source: alternatingExtremes, expect: ['spike-by-3'] },
      { name: 'full-int8-range', frames: 30, source: fullInt8Range },
    ],
  },
  {
    description: 'inputs 16, units 37 (an odd size), classes 10',
    model: { ...BASE, name: 'wide', seed: 2, inputSize: 16, units: 37, classes: 10, kernelStd: 0.25, recurrentStd: 0.15, denseStd: 2, threshold: 0.95 },
    cases: [
      { name: 'uniform', frames: 40, source: uniform },
      { name: 'sparse-binary', frames: 40, source: sparseBinary },
      { name: 'full-scale', frames: 40, source: fullScale },
    ],
  },
  {
    description: 'large weights and forget bias: gates saturate and cell states grow far beyond the tanh table range over 200 frames',
    model: { ...BASE, name: 'saturating', seed: 3, inputSize: 12, units: 8, classes: 4, kernelStd: 3, recurrentStd: 3, denseStd: 0.05, forgetBias: 8, threshold: 0.99 },
    cases: [
      { name: 'uniform', frames: 200, source: uniform, expect: ['no-spike', 'cell-beyond-tanh-range', 'gates-saturated'] },
      { name: 'full-scale', frames: 200, source: fullScale, expect: ['cell-beyond-tanh-range'] },
      { name: 'alternating-extremes', frames: 200, source: alternatingExtremes },
    ],
  },
  {
    description: 'huge dense weights: logits saturate at the int32 limits and the exp distance exceeds 2^31',
    model: { ...BASE, name: 'logit-saturation', seed: 4, inputSize: 6, units: 5, classes: 3, kernelStd: 2, recurrentStd: 1, denseStd: 4e6, threshold: 0.95 },
    cases: [
      { name: 'uniform', frames: 10, source: uniform, expect: ['spike-by-3'] },
      { name: 'full-int8-range', frames: 10, source: fullInt8Range, expect: ['logits-at-int32-limits'] },
    ],
  },
];

interface StateExtremes {
  maxAbsCell: number;
  /** Largest |a_r| of a gate pre-activation before sat16. */
  maxAbsGate: number;
}

/** Computes the gate pre-activation of row r before saturation, as lstmStep does. */
function gatePreActivation(lstm: QLstmLayer, row: number, input: number[], hidden: Int32Array): number {
  let accInput = 0;
  for (let j = 0; j < lstm.inputSize; j++) accInput += lstm.kernel[row * lstm.inputSize + j] * input[j];
  let accHidden = 0;
  for (let j = 0; j < lstm.units; j++) accHidden += lstm.recurrentKernel[row * lstm.units + j] * hidden[j];
  return (
    requantize(accInput, lstm.kernelRequant.mult[row], lstm.kernelRequant.shift[row]) +
    requantize(accHidden, lstm.recurrentRequant.mult[row], lstm.recurrentRequant.shift[row]) +
    lstm.bias[row]
  );
}

function checkExpectations(qmodel: QModel, spec: CaseSpec, result: GoldenCase, extremes: StateExtremes): void {
  const where = `golden case ${qmodel.name}/${spec.name}`;
  const allLogits = result.logits.flat();
  for (const expectation of spec.expect ?? []) {
    const met = {
      'spike-by-3': result.spiked && result.step <= 3,
      'no-spike': !result.spiked,
      'spike-positive': result.spiked && result.classIndex === 1 && result.logits[result.logits.length - 1][0] >= qmodel.spikeBound,
      'spike-negative': result.spiked && result.classIndex === 0 && result.logits[result.logits.length - 1][0] <= -qmodel.spikeBound,
      'cell-beyond-tanh-range': extremes.maxAbsCell > 8 * 2 ** STATE_FRAC_BITS,
      'gates-saturated': extremes.maxAbsGate > INT16_MAX,
      'logits-at-int32-limits': allLogits.includes(INT32_MAX) && allLogits.includes(INT32_MIN),
      'gates-beyond-hard-sigmoid-range': extremes.maxAbsGate >= 3 * 2 ** GATE_FRAC_BITS,
    }[expectation];
    if (!met) throw new Error(`${where} does not meet "${expectation}": spiked ${result.spiked} at frame ${result.step}, extremes ${JSON.stringify(extremes)}`);
  }
}

function runCase(qmodel: QModel, spec: CaseSpec, seed: number): GoldenCase {
  const random = new GoldenRandom(seed);
  const frames = Array.from({ length: spec.frames }, (_, t) => spec.source(random, qmodel.inputSize, t));
  const simulator = new ReferenceSimulator(qmodel);
  simulator.reset();
  // A second copy of the first LSTM's state, stepped alongside, exposes gates and cells to the checks.
  const lstm = qmodel.layers[0].kind === 'lstm' ? qmodel.layers[0] : undefined;
  const shadow = { hidden: new Int32Array(lstm?.units ?? 0), cell: new Int32Array(lstm?.units ?? 0) };
  const extremes: StateExtremes = { maxAbsCell: 0, maxAbsGate: 0 };
  const logits: number[][] = [];
  let result = { spiked: false, classIndex: 0, step: 0, confidence: 0 };
  for (const frame of frames) {
    result = simulator.step(frame);
    if (lstm !== undefined) {
      for (let row = 0; row < 4 * lstm.units; row++) {
        extremes.maxAbsGate = Math.max(extremes.maxAbsGate, Math.abs(gatePreActivation(lstm, row, frame, shadow.hidden)));
      }
      lstmStep(lstm, shadow, frame);
      for (const cell of shadow.cell) extremes.maxAbsCell = Math.max(extremes.maxAbsCell, Math.abs(cell));
    }
    logits.push(Array.from(simulator.logits));
    if (result.spiked) break;
  }
  const golden = { name: spec.name, frames, logits, ...result, framesComputed: simulator.framesComputed };
  checkExpectations(qmodel, spec, golden, extremes);
  return golden;
}

/**
 * Subfolder of test/golden for the models beyond one int8 LSTM and one dense
 * layer. Targets that compile only that pair (cortex-m) read test/golden/*.json;
 * the C and wasm conformance tests read both folders.
 */
export const NETWORK_GOLDEN_FOLDER = 'networks';

/** Golden files of the models in test/fixtures, run on the fixture inputs quantized to int8. */
function fixtureGoldenFiles(files: Map<string, string>): void {
  const folder = join(PACKAGE_ROOT, 'test', 'fixtures');
  const names = readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  for (const name of names) {
    const qmodel = quantizeModel(loadModel(join(folder, name, 'model.json')));
    const expected = JSON.parse(readFileSync(join(folder, name, 'expected.json'), 'utf8')) as FixtureExpectation;
    const cases = expected.inputs.map((frames, index) => {
      const quantized = frames.map((frame) => frame.map((value) => quantizeInput(value, qmodel.inputScale)));
      return runCase(qmodel, { name: `sequence-${index}`, frames: quantized.length, source: (_, __, t) => quantized[t] }, 0);
    });
    const description = `test/fixtures/${name}: ${expected.description}`;
    const golden: GoldenFile = { format: 'rankcode-golden', version: 1, description, qmodel, cases };
    files.set(`${NETWORK_GOLDEN_FOLDER}/fixture-${name}.json`, formatJson(golden));
  }
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z / 2 ** GATE_FRAC_BITS));

/**
 * Golden files at the boundary of the sigmoid spike bound L. The model of
 * sigmoid-binary runs a uniform sequence with theta = 1 (no spike); z* is the
 * largest |z| over its frames, first reached at frame f. With theta halfway
 * between sigmoid((z* - 1) / 2^12) and sigmoid(z* / 2^12), L = z* and the
 * sequence spikes exactly at frame f. With theta halfway between sigmoid(z* / 2^12)
 * and sigmoid((z* + 1) / 2^12), L = z* + 1 and it never spikes.
 */
function sigmoidBoundaryGoldenFiles(files: Map<string, string>): void {
  const spec = SIGMOID_OUTPUT_SPECS[0];
  const caseSpec: CaseSpec = { name: 'uniform', frames: 40, source: uniform };
  const seed = spec.model.seed * 1000 + 99;
  const model = randomNetwork(spec.model as RandomNetworkSpec);
  model.settings.threshold = 1;
  const probe = runCase(quantizeModel(model), caseSpec, seed);
  const magnitudes = probe.logits.map((z) => Math.abs(z[0]));
  const peak = Math.max(...magnitudes);
  const peakFrame = magnitudes.indexOf(peak) + 1;
  const variants = [
    { name: 'sigmoid-boundary-at-bound', threshold: (sigmoid(peak - 1) + sigmoid(peak)) / 2, bound: peak },
    { name: 'sigmoid-boundary-below-bound', threshold: (sigmoid(peak) + sigmoid(peak + 1)) / 2, bound: peak + 1 },
  ];
  for (const variant of variants) {
    model.settings.threshold = variant.threshold;
    const qmodel = quantizeModel(model);
    if (qmodel.spikeBound !== variant.bound) throw new Error(`${variant.name}: spike bound ${qmodel.spikeBound}, expected ${variant.bound}`);
    const goldenCase = runCase(qmodel, caseSpec, seed);
    const spikesAtPeak = goldenCase.spiked && goldenCase.step === peakFrame;
    if (variant.bound === peak ? !spikesAtPeak : goldenCase.spiked) {
      throw new Error(`${variant.name}: spiked ${goldenCase.spiked} at frame ${goldenCase.step}, peak |z| ${peak} at frame ${peakFrame}`);
    }
    const description =
      `sigmoid-binary with theta ${variant.threshold}, which puts L at ${variant.bound}: the uniform case reaches |z| = ${peak} ` +
      `first at frame ${peakFrame}, so it ${variant.bound === peak ? 'spikes there' : 'never spikes'}`;
    const golden: GoldenFile = { format: 'rankcode-golden', version: 1, description, qmodel, cases: [goldenCase] };
    files.set(`${NETWORK_GOLDEN_FOLDER}/${variant.name}.json`, formatJson(golden));
  }
}

/** Builds every golden file; returns its path relative to test/golden -> contents. */
export function generateGoldenFiles(): Map<string, string> {
  const files = new Map<string, string>();
  [...GOLDEN_SPECS, ...SIGMOID_OUTPUT_SPECS, ...NETWORK_SPECS].forEach((spec) => {
    const model = 'layers' in spec.model ? randomNetwork(spec.model) : randomFloatModel(spec.model);
    const qmodel = quantizeModel(model, { weightBits: spec.weightBits ?? 8 });
    const cases = spec.cases.map((caseSpec, index) => runCase(qmodel, caseSpec, spec.model.seed * 1000 + index));
    const golden: GoldenFile = { format: 'rankcode-golden', version: 1, description: spec.description, qmodel, cases };
    const folder = NETWORK_SPECS.includes(spec) ? `${NETWORK_GOLDEN_FOLDER}/` : '';
    files.set(`${folder}${spec.model.name}.json`, formatJson(golden));
  });
  sigmoidBoundaryGoldenFiles(files);
  fixtureGoldenFiles(files);
  return files;
}
