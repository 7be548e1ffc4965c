/**
 * The cortex-m target: C99 for Arm Cortex-M. For a model of one int8 LSTM layer
 * with sigmoid gates and the dense softmax or sigmoid output layer, it emits <prefix>_model.h and
 * <prefix>_model.c from targets/cortex-m/templates, with the LSTM and dense
 * weights repacked into the blocked layout of rc_cortex_m.h (four int8 weights
 * of one row per int32 word, four rows side by side), and copies the runtime:
 * rc_runtime.h/.c of the C target plus rc_cortex_m.h/.c, whose kernels use the
 * DSP extension (SXTB16, SMLAD) where the compiler reports it and portable C
 * elsewhere. Every other model gets the C target's sources, whose layer
 * kernels cover every model the compiler accepts. The streaming API is the C
 * target's in both cases.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, assert } from '../../common/errors.js';
import { log } from '../../common/log.js';
import { escapeCComment, escapeCString, formatArrayBody, formatInt32 } from '../c-syntax.js';
import {
  ACT_TABLE_SHIFT,
  ACT_TABLE_SIZE,
  EXP_INPUT_LIMIT,
  EXP_TABLE,
  EXP_TABLE_SHIFT,
  EXP_TABLE_SIZE,
  SIGMOID_TABLE,
  TANH_TABLE,
} from '../fixed-point.js';
import { type QDenseLayer, type QLstmLayer, type QModel, classCountOf } from '../qmodel.js';
import { HIDDEN_ABS_MAX, INPUT_ABS_MAX } from '../quantize.js';
import { PACKAGE_ROOT, loadSharedPartial, renderTemplate } from '../render.js';
import type { EmitContext, EmittedFile, TargetDriver, TargetManifest } from '../target.js';
import { spikeRuleView } from './c-view.js';
import { emitCSources } from './c.js';

const TARGET_FOLDER = 'targets/cortex-m';
/** Runtime sources copied unchanged into every output folder, from the C target and from this one. */
const RUNTIME_FILES = [
  { folder: 'targets/c/runtime', name: 'rc_runtime.h' },
  { folder: 'targets/c/runtime', name: 'rc_runtime.c' },
  { folder: `${TARGET_FOLDER}/runtime`, name: 'rc_cortex_m.h' },
  { folder: `${TARGET_FOLDER}/runtime`, name: 'rc_cortex_m.c' },
];

/** Byte i of a word contains column 4g + lane[i]: natural order for int8 inputs. */
export const LANES_S8: readonly number[] = [0, 1, 2, 3];
/** Byte order for int16 inputs, so that SXTB16 pairs line up with the int16 pairs (h0, h1), (h2, h3). */
export const LANES_S16: readonly number[] = [0, 2, 1, 3];

const ACCUMULATOR_LIMIT = 2 ** 31;

/**
 * Packs a row-major int8 matrix into the blocked layout of rc_cortex_m.h: rows
 * in blocks of 4, each block group by group (4 columns a group, the 4 rows'
 * words together), then the rows % 4 left-over rows one by one. Columns past
 * the end are zero. Returns the words as int32 values.
 */
export function packBlocked(values: ArrayLike<number>, rows: number, columns: number, lanes: readonly number[]): Int32Array {
  assert(values.length === rows * columns, () => `matrix of ${values.length} values is not ${rows} x ${columns}`);
  const groups = Math.ceil(columns / 4);
  const words = new Int32Array(rows * groups);
  const blocks = Math.floor(rows / 4);
  const wordOf = (row: number, group: number): number => {
    let bits = 0;
    for (let byte = 0; byte < 4; byte++) {
      const column = 4 * group + lanes[byte];
      const weight = column < columns ? values[row * columns + column] : 0;
      assert(Number.isInteger(weight) && weight >= -128 && weight <= 127, () => `weight ${weight} of row ${row} is not int8`);
      bits |= (weight & 0xff) << (8 * byte);
    }
    return bits;
  };
  let index = 0;
  for (let block = 0; block < blocks; block++) {
    for (let group = 0; group < groups; group++) {
      for (let k = 0; k < 4; k++) words[index++] = wordOf(4 * block + k, group);
    }
  }
  for (let row = 4 * blocks; row < rows; row++) {
    for (let group = 0; group < groups; group++) words[index++] = wordOf(row, group);
  }
  return words;
}

/**
 * Checks the bound that makes every kernel order exact: for each row,
 * sum_j |w_j| * max|x| < 2^31. The quantizer rejects models that break it, so
 * a failure here means a qmodel that did not come from the quantizer.
 */
function checkAccumulatorBound(values: number[], rows: number, columns: number, inputAbsMax: number, matrixName: string): void {
  for (let row = 0; row < rows; row++) {
    let absSum = 0;
    for (let column = 0; column < columns; column++) absSum += Math.abs(values[row * columns + column]);
    assert(absSum * inputAbsMax < ACCUMULATOR_LIMIT, () => `${matrixName} row ${row}: sum |w| * ${inputAbsMax} = ${absSum * inputAbsMax} does not fit in int32`);
  }
}

/** Width of a layer's stored weights; models without the field have int8 weights. */
function weightBitsOf(layer: QLstmLayer | QDenseLayer): number {
  return (layer as { weightBits?: number }).weightBits ?? 8;
}

/**
 * Describes how a model differs from the family that the blocked-layout kernels
 * of rc_cortex_m.c compile (one LSTM layer with int8 weights and table sigmoid
 * gates, then the dense softmax or sigmoid output layer), or returns undefined
 * for a model of it. Both output kinds share rc_finish_frame of rc_runtime.c.
 */
export function blockedKernelMismatch(qmodel: QModel): string | undefined {
  const [lstm, dense] = qmodel.layers;
  if (qmodel.layers.length !== 2 || lstm.kind !== 'lstm' || dense.kind !== 'dense') {
    return `the layers ${qmodel.layers.map((layer) => layer.kind).join(', ')}`;
  }
  const problems: string[] = [];
  if (weightBitsOf(lstm) !== 8 || weightBitsOf(dense) !== 8) problems.push('weights wider than int8');
  if (lstm.recurrentActivation !== 'sigmoid') problems.push(`recurrent activation ${lstm.recurrentActivation}`);
  if (dense.activation !== 'softmax' && dense.activation !== 'sigmoid') problems.push(`output activation ${dense.activation}`);
  return problems.length > 0 ? problems.join(', ') : undefined;
}

/**
 * Returns the two layers of a model that the blocked-layout kernels compile:
 * one LSTM layer with int8 weights and table sigmoid gates, then the dense
 * softmax or sigmoid output layer. Throws a UserError naming what differs
 * otherwise. The arduino target accepts only these models.
 */
export function supportedLayers(qmodel: QModel): { lstm: QLstmLayer; dense: QDenseLayer } {
  const mismatch = blockedKernelMismatch(qmodel);
  if (mismatch !== undefined) {
    throw new UserError(
      'the blocked-layout kernels of the arduino and cortex-m targets compile one LSTM layer with int8 weights and sigmoid gates ' +
        `followed by the dense softmax or sigmoid output layer, but model "${qmodel.name}" has ${mismatch}. ` +
        'Compile it with --target cortex-m or --target c, whose portable layer kernels compile every model, or retrain it with that structure.',
    );
  }
  const [lstm, dense] = qmodel.layers as [QLstmLayer, QDenseLayer];
  assert(lstm.inputSize === qmodel.inputSize, 'the LSTM input size equals the model input size');
  assert(dense.inputSize === lstm.units, 'the dense input size equals the LSTM units');
  return { lstm, dense };
}

/**
 * Builds the template view: every number and string already formatted for C,
 * with the weight matrices in the blocked layout.
 */
export function buildCortexMView(context: EmitContext): Record<string, unknown> {
  const { qmodel, prefix } = context;
  const { lstm, dense } = supportedLayers(qmodel);
  const rows = 4 * lstm.units;
  checkAccumulatorBound(lstm.kernel, rows, lstm.inputSize, INPUT_ABS_MAX, `layer "${lstm.name}" kernel`);
  checkAccumulatorBound(lstm.recurrentKernel, rows, lstm.units, HIDDEN_ABS_MAX, `layer "${lstm.name}" recurrent kernel`);
  checkAccumulatorBound(dense.kernel, dense.units, dense.inputSize, HIDDEN_ABS_MAX, `layer "${dense.name}" kernel`);

  const kernel = packBlocked(lstm.kernel, rows, lstm.inputSize, LANES_S8);
  const recurrent = packBlocked(lstm.recurrentKernel, rows, lstm.units, LANES_S16);
  const denseKernel = packBlocked(dense.kernel, dense.units, dense.inputSize, LANES_S16);
  const int32Values = (values: ArrayLike<number>) => formatArrayBody(values, 8, '  ', formatInt32);
  return {
    prefix,
    macroPrefix: prefix.toUpperCase(),
    guard: `${prefix.toUpperCase()}_MODEL_H`,
    inputSize: qmodel.inputSize,
    units: lstm.units,
    gateRows: rows,
    classes: classCountOf(qmodel),
    ...spikeRuleView(qmodel),
    spikeBound: formatInt32(qmodel.spikeBound),
    threshold: String(qmodel.threshold),
    inputScale: qmodel.inputScale.toPrecision(9),
    framesText: qmodel.frames > 0 ? `sequences of ${qmodel.frames} frames` : 'sequences of unstated length',
    lstmName: escapeCComment(lstm.name),
    denseName: escapeCComment(dense.name),
    actTableSize: ACT_TABLE_SIZE,
    actTableShift: ACT_TABLE_SHIFT,
    expTableSize: EXP_TABLE_SIZE,
    expTableShift: EXP_TABLE_SHIFT,
    expInputLimit: EXP_INPUT_LIMIT,
    inputGroups: Math.ceil(lstm.inputSize / 4),
    unitGroups: Math.ceil(lstm.units / 4),
    lstmKernelWordCount: kernel.length,
    lstmKernelWords: int32Values(kernel),
    lstmKernelMult: formatArrayBody(lstm.kernelRequant.mult, 12),
    lstmKernelShift: formatArrayBody(lstm.kernelRequant.shift, 16),
    recurrentKernelWordCount: recurrent.length,
    recurrentKernelWords: int32Values(recurrent),
    recurrentMult: formatArrayBody(lstm.recurrentRequant.mult, 12),
    recurrentShift: formatArrayBody(lstm.recurrentRequant.shift, 16),
    lstmBias: int32Values(lstm.bias),
    denseKernelWordCount: denseKernel.length,
    denseKernelWords: int32Values(denseKernel),
    denseMult: formatArrayBody(dense.requant.mult, 12),
    denseShift: formatArrayBody(dense.requant.shift, 16),
    denseBias: int32Values(dense.bias),
    sigmoidTable: formatArrayBody(SIGMOID_TABLE, 12),
    tanhTable: formatArrayBody(TANH_TABLE, 12),
    expTable: int32Values(EXP_TABLE),
    labels: qmodel.labels.map((label) => `  "${escapeCString(label)}"`).join(',\n'),
  };
}

function readManifest(): TargetManifest {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, TARGET_FOLDER, 'manifest.json'), 'utf8')) as TargetManifest;
  assert(manifest.name === 'cortex-m', () => `${TARGET_FOLDER}/manifest.json names the target "${manifest.name}"`);
  return manifest;
}

/**
 * Renders the model sources in the blocked layout and copies the runtime with
 * the blocked-layout kernels: every C file that an application (or the arduino target's
 * library) compiles, at top-level paths. Throws a UserError for a model
 * outside the family of those kernels.
 */
export function emitCortexMSources(context: EmitContext): EmittedFile[] {
  const manifest = readManifest();
  const view = buildCortexMView(context);
  const partials = { provenance: loadSharedPartial('provenance-c') };
  const files: EmittedFile[] = manifest.templates.map((templatePath) => {
    const template = `${TARGET_FOLDER}/${templatePath}`;
    const provenance = {
      version: context.compilerVersion,
      template,
      modelName: escapeCComment(context.qmodel.name),
      sourceHash: context.qmodel.sourceHash,
    };
    const base = templatePath.slice(templatePath.lastIndexOf('/') + 1).replace(/\.mustache$/, '');
    return { path: `${context.prefix}_${base}`, contents: renderTemplate(template, { ...view, ...provenance }, partials) };
  });
  for (const { folder, name } of RUNTIME_FILES) {
    files.push({ path: name, contents: readFileSync(join(PACKAGE_ROOT, folder, name), 'utf8') });
  }
  return files;
}

/**
 * Emits the blocked layout and rc_cortex_m.c for a model that its kernels
 * compile, and the C target's sources otherwise. The whole model takes one
 * route, so a build runs either rc_cortex_m.c or the C layer kernels, never a mix.
 */
export const cortexMTarget: TargetDriver = {
  name: 'cortex-m',
  async emit(context: EmitContext): Promise<EmittedFile[]> {
    const mismatch = blockedKernelMismatch(context.qmodel);
    if (mismatch === undefined) return emitCortexMSources(context);
    // NOTE: stacks whose first LSTM layer alone would fit rc_cm_lstm_step take this route too, so they run no DSP kernel.
    log.info(
      `cortex-m: model "${context.qmodel.name}" has ${mismatch}, which the kernels of rc_cortex_m.c do not cover; ` +
        "emitting the C target's portable layer kernels (rc_layers.c, rc_lstm.c, rc_gru.c) instead",
    );
    return emitCSources(context);
  },
};
