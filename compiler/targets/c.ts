/**
 * The C target: portable C99, integer only. It emits <prefix>_model.h and
 * <prefix>_model.c from the templates in targets/c/templates (the weights,
 * requantization tables, biases and activation tables as const arrays, the
 * layer calls and the streaming API) and copies the model-independent runtime:
 * rc_runtime.h/.c and the layer kernels rc_layers.h, rc_layers.c, rc_lstm.c, rc_gru.c.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert } from '../../common/errors.js';
import { escapeCComment, formatArrayBody, formatInt32 } from '../c-syntax.js';
import type { QDenseLayer, QLstmLayer, QModel } from '../qmodel.js';
import { PACKAGE_ROOT, loadSharedPartial, renderTemplate } from '../render.js';
import type { EmitContext, EmittedFile, TargetDriver, TargetManifest } from '../target.js';
import { buildCNetworkView, modelCView } from './c-view.js';

const TARGET_FOLDER = 'targets/c';
/** Model-independent runtime sources, copied unchanged into every output folder. */
const C_RUNTIME_FILES = ['rc_runtime.h', 'rc_runtime.c', 'rc_layers.h', 'rc_layers.c', 'rc_lstm.c', 'rc_gru.c'];

/** Output file name of each template: model.h.mustache gives <prefix>_model.h. */
function outputName(templatePath: string, prefix: string): string {
  const base = templatePath.slice(templatePath.lastIndexOf('/') + 1).replace(/\.mustache$/, '');
  return `${prefix}_${base}`;
}

export function readCManifest(): TargetManifest {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, TARGET_FOLDER, 'manifest.json'), 'utf8')) as TargetManifest;
}

function splitLayers(qmodel: QModel): { lstm: QLstmLayer; dense: QDenseLayer } {
  const [lstm, dense] = qmodel.layers;
  assert(qmodel.layers.length === 2, 'the C target compiles exactly two layers');
  assert(lstm.kind === 'lstm' && dense.kind === 'dense', 'the C target compiles an LSTM layer followed by a dense layer');
  assert(lstm.inputSize === qmodel.inputSize, 'the LSTM input size equals the model input size');
  assert(dense.inputSize === lstm.units, 'the dense input size equals the LSTM units');
  return { lstm, dense };
}

/**
 * Builds the view of a model of one int8 LSTM layer and one dense layer, with
 * one field per constant. The cortex-m target renders its templates from it,
 * while the C target renders any layer stack from buildCNetworkView.
 */
export function buildCView(context: EmitContext): Record<string, unknown> {
  const { lstm, dense } = splitLayers(context.qmodel);
  const int8Rows = (values: number[]) => formatArrayBody(values, 20);
  const int32Values = (values: ArrayLike<number>) => formatArrayBody(values, 8, '  ', formatInt32);
  return {
    ...modelCView(context),
    units: lstm.units,
    gateRows: 4 * lstm.units,
    lstmName: escapeCComment(lstm.name),
    denseName: escapeCComment(dense.name),
    lstmKernel: int8Rows(lstm.kernel),
    lstmKernelMult: formatArrayBody(lstm.kernelRequant.mult, 12),
    lstmKernelShift: formatArrayBody(lstm.kernelRequant.shift, 16),
    recurrentKernel: int8Rows(lstm.recurrentKernel),
    recurrentMult: formatArrayBody(lstm.recurrentRequant.mult, 12),
    recurrentShift: formatArrayBody(lstm.recurrentRequant.shift, 16),
    lstmBias: int32Values(lstm.bias),
    denseKernel: int8Rows(dense.kernel),
    denseMult: formatArrayBody(dense.requant.mult, 12),
    denseShift: formatArrayBody(dense.requant.shift, 16),
    denseBias: int32Values(dense.bias),
  };
}

/**
 * Renders the C target's model sources and copies its runtime: the files that
 * `--target c` writes. The cortex-m target also emits them for models outside
 * the family of its DSP kernels.
 */
export function emitCSources(context: EmitContext): EmittedFile[] {
  const manifest = readCManifest();
  assert(manifest.name === 'c', () => `targets/c/manifest.json names the target "${manifest.name}"`);
  const view = buildCNetworkView(context);
  const partials = { provenance: loadSharedPartial('provenance-c') };
  const files: EmittedFile[] = manifest.templates.map((templatePath) => {
    const template = `${TARGET_FOLDER}/${templatePath}`;
    const provenance = {
      version: context.compilerVersion,
      template,
      modelName: escapeCComment(context.qmodel.name),
      sourceHash: context.qmodel.sourceHash,
    };
    const contents = renderTemplate(template, { ...view, ...provenance }, partials);
    return { path: outputName(templatePath, context.prefix), contents };
  });
  for (const name of C_RUNTIME_FILES) {
    files.push({ path: name, contents: readFileSync(join(PACKAGE_ROOT, TARGET_FOLDER, 'runtime', name), 'utf8') });
  }
  return files;
}

export const cTarget: TargetDriver = {
  name: 'c',
  async emit(context: EmitContext): Promise<EmittedFile[]> {
    return emitCSources(context);
  },
};
