/**
 * fast-check arbitraries of small quantized models and of int8 input
 * sequences, for the property tests and the fuzz benchmark. Sizes: 1..12
 * inputs, 1..10 LSTM units, 2..5 classes. Weights are any int8 (-128 too),
 * multipliers any value in [0, 2^15) with shifts in [1, 62], biases anywhere in
 * int32; most rows get "working range" parameters so that sequences do not
 * all saturate, and a share get extremes. A third of the models have a
 * sigmoid output layer: one logit for two classes, or one logit per class.
 */
import fc from 'fast-check';
import { INT32_MAX, INT32_MIN, sigmoidSpikeBoundFor, spikeBoundFor } from '../../compiler/fixed-point.js';
import type { QModel, Requant } from '../../compiler/qmodel.js';

export const MODEL_LIMITS = { maxInputSize: 12, maxUnits: 10, minClasses: 2, maxClasses: 5 };

const int8 = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -127, max: 127 }) },
  { weight: 1, arbitrary: fc.constantFrom(-128, -127, 127, 0) },
);

function int8Array(length: number): fc.Arbitrary<number[]> {
  return fc.array(int8, { minLength: length, maxLength: length });
}

/** Generates one requantization row: a shift near `typicalShift` most of the time, any valid pair otherwise. */
function requantRow(typicalShift: number): fc.Arbitrary<[number, number]> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.integer({ min: 2 ** 14, max: 2 ** 15 - 1 }), fc.integer({ min: typicalShift - 3, max: typicalShift + 3 })) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 2 ** 15 - 1 }), fc.integer({ min: 1, max: 62 })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(0, 1, 2 ** 14, 2 ** 15 - 1), fc.constantFrom(1, 2, 31, 32, 62)) },
  );
}

function requant(rows: number, typicalShift: number): fc.Arbitrary<Requant> {
  return fc
    .array(requantRow(typicalShift), { minLength: rows, maxLength: rows })
    .map((pairs) => ({ mult: pairs.map(([mult]) => mult), shift: pairs.map(([, shift]) => shift) }));
}

const bias = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -16384, max: 16384 }) },
  { weight: 1, arbitrary: fc.integer({ min: INT32_MIN, max: INT32_MAX }) },
  { weight: 1, arbitrary: fc.constantFrom(INT32_MIN, INT32_MAX, -1, 0) },
);

function biases(rows: number): fc.Arbitrary<number[]> {
  return fc.array(bias, { minLength: rows, maxLength: rows });
}

const threshold = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0.5, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(1, 0.95, 2 ** -14, 0.2) },
);

/**
 * Labels with the characters that break naive escaping: quotes, backslashes,
 * comment ends, line breaks, U+2028/2029, non-ASCII, trigraphs and reserved words.
 * NUL and lone surrogates are left out because the loader rejects them.
 */
export const hostileLabel = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('"', "'", '\\', '*/', '/*', '//', '\n', '\r', '\u2028', '\u2029', '??/', '??=', '\u0001', '\u007f', '`', '${', '</script>', 'é', '中', '😀', 'int', 'return', '__proto__') },
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 6,
});

export interface ModelShape {
  inputSize: number;
  units: number;
  classes: number;
}

/** Random small models: an LSTM layer and a dense softmax or sigmoid head. */
export function qmodelArbitrary(labels: fc.Arbitrary<string> = hostileLabel): fc.Arbitrary<QModel> {
  const shape = fc.record({
    inputSize: fc.integer({ min: 1, max: MODEL_LIMITS.maxInputSize }),
    units: fc.integer({ min: 1, max: MODEL_LIMITS.maxUnits }),
    classes: fc.integer({ min: MODEL_LIMITS.minClasses, max: MODEL_LIMITS.maxClasses }),
    output: fc.constantFrom('softmax', 'softmax', 'sigmoid-binary', 'sigmoid-per-class'),
  });
  return shape.chain(({ inputSize, units, classes: drawnClasses, output }) => {
    const rows = 4 * units;
    const classes = output === 'sigmoid-binary' ? 2 : drawnClasses;
    const logitCount = output === 'sigmoid-binary' ? 1 : classes;
    const sigmoid = output !== 'softmax';
    return fc
      .record({
        kernel: int8Array(rows * inputSize),
        kernelRequant: requant(rows, 16),
        recurrentKernel: int8Array(rows * units),
        recurrentRequant: requant(rows, 23),
        lstmBias: biases(rows),
        denseKernel: int8Array(logitCount * units),
        denseRequant: requant(logitCount, 22),
        denseBias: biases(logitCount),
        threshold,
        labels: fc.array(labels, { minLength: classes, maxLength: classes }),
      })
      .map(
        (parts): QModel => ({
          format: 'rankcode-qmodel',
          version: 2,
          name: 'fuzz */ model',
          sourceHash: '0'.repeat(64),
          inputSize,
          frames: 0,
          inputScale: 1 / 127,
          threshold: parts.threshold,
          spikeBound: sigmoid ? sigmoidSpikeBoundFor(parts.threshold) : spikeBoundFor(parts.threshold),
          labels: parts.labels,
          layers: [
            {
              kind: 'lstm',
              name: 'lstm',
              inputSize,
              units,
              weightBits: 8,
              kernel: parts.kernel,
              kernelRequant: parts.kernelRequant,
              recurrentKernel: parts.recurrentKernel,
              recurrentRequant: parts.recurrentRequant,
              bias: parts.lstmBias,
              recurrentActivation: 'sigmoid',
            },
            {
              kind: 'dense',
              name: 'dense',
              inputSize: units,
              units: logitCount,
              weightBits: 8,
              kernel: parts.denseKernel,
              requant: parts.denseRequant,
              bias: parts.denseBias,
              activation: sigmoid ? 'sigmoid' : 'softmax',
              outputFracBits: 12,
            },
          ],
        }),
      );
  });
}

/** Random int8 sequences of 1..maxFrames frames for a model of `inputSize` inputs. */
export function sequenceArbitrary(inputSize: number, maxFrames: number): fc.Arbitrary<number[][]> {
  const frame = fc.oneof(
    { weight: 6, arbitrary: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: inputSize, maxLength: inputSize }) },
    { weight: 1, arbitrary: fc.constantFrom(-128, 127, 0).map((value) => new Array<number>(inputSize).fill(value)) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(-128, 127), { minLength: inputSize, maxLength: inputSize }) },
  );
  return fc.array(frame, { minLength: 1, maxLength: maxFrames });
}
