/**
 * The compile report: size and cost of a quantized model as the runtimes store
 * and run it, plus float-versus-integer agreement when evaluation data is given.
 * Byte counts follow the data layout of the C target (targets/c), which keeps
 * every constant in flash and the whole state in one caller-owned struct.
 */
import { ACT_TABLE_SIZE, EXP_TABLE_SIZE } from './fixed-point.js';
import type { AgreementReport } from './evaluate.js';
import { type OutputKind, type QLayer, type QModel, classCountOf, gateRows, outputKindOf, outputLayerOf } from './qmodel.js';

/** Bytes of each stored element in the C target. */
export const STORAGE_BYTES = {
  requantMult: 2, // int16_t, 0 <= mult < 2^15
  requantShift: 1, // uint8_t, 1..62
  bias: 4, // int32_t
  activationEntry: 2, // int16_t, Q0.15
  expEntry: 4, // int32_t, Q0.16 up to 65536
  stateWord: 4, // int32_t cell and logits, uint32_t frame counter
  stateHalf: 2, // int16_t hidden state, hidden dense outputs and gate scratch
  result: 16, // rc_result: four 32-bit fields
};

/** One layer as the report describes it. */
export interface LayerSummary {
  kind: 'lstm' | 'gru' | 'dense';
  name: string;
  inputSize: number;
  units: number;
  weightBits: 8 | 16;
  /** Gate activation of a recurrent layer, activation of a dense layer. */
  activation: string;
  /** GRU only. */
  resetAfter?: boolean;
  /** Format of the layer output, for example Q0.15, Q3.12 (int16) or Q.12 (int32). */
  outputFormat: string;
}

export interface CompileReport {
  model: {
    name: string;
    sourceHash: string;
    inputSize: number;
    classes: number;
    /** Activation of the output layer, which picks the spike test. */
    output: OutputKind;
    frames: number;
    threshold: number;
    /** K = floor(2^16 / theta) for a softmax output, L (a Q.12 logit) for a sigmoid output. */
    spikeBound: number;
    inputScale: number;
    labels: string[];
    layers: LayerSummary[];
  };
  /** Float parameters of the source model, biases included. */
  parameters: number;
  /** Constant data stored by the target; code size is not included because it depends on the C compiler. */
  flashBytes: { total: number; weights: number; requantization: number; biases: number; tables: number };
  /** The caller-owned state struct; the stack use of the step function is not included. */
  ramBytes: { total: number; state: number; scratch: number };
  macsPerFrame: number;
  agreement?: AgreementReport;
}

function outputFormat(layer: QLayer, isOutput: boolean): string {
  if (layer.kind !== 'dense' || layer.activation === 'sigmoid') return isOutput ? 'Q.12 (int32)' : 'Q0.15 (int16)';
  if (isOutput) return 'Q.12 (int32)';
  const fracBits = layer.outputFracBits;
  return `Q${15 - fracBits}.${fracBits} (int16)`;
}

function summarize(layer: QLayer, isOutput: boolean): LayerSummary {
  const activation = layer.kind === 'dense' ? layer.activation : layer.recurrentActivation;
  const summary: LayerSummary = {
    kind: layer.kind,
    name: layer.name,
    inputSize: layer.inputSize,
    units: layer.units,
    weightBits: layer.weightBits,
    activation,
    outputFormat: outputFormat(layer, isOutput),
  };
  if (layer.kind === 'gru') summary.resetAfter = layer.resetAfter;
  return summary;
}

/** Weight matrices of a layer with their row counts. */
function matrices(layer: QLayer): { values: number[]; rows: number }[] {
  if (layer.kind === 'dense') return [{ values: layer.kernel, rows: layer.units }];
  const rows = gateRows(layer);
  return [
    { values: layer.kernel, rows },
    { values: layer.recurrentKernel, rows },
  ];
}

function biasCount(layer: QLayer): number {
  return layer.kind === 'gru' ? layer.bias.length + layer.recurrentBias.length : layer.bias.length;
}

/** int16 scratch values of a layer's step: the gate pre-activations of a recurrent layer. */
export function scratchValues(layer: QLayer): number {
  return layer.kind === 'dense' ? 0 : gateRows(layer);
}

/** Computes the size and cost figures of a quantized model. */
export function buildReport(qmodel: QModel, agreement?: AgreementReport): CompileReport {
  const logitCount = outputLayerOf(qmodel).units;
  const bytes = STORAGE_BYTES;
  const layers = qmodel.layers;

  const all = layers.flatMap(matrices);
  const weightCount = all.reduce((sum, matrix) => sum + matrix.values.length, 0);
  const biases = layers.reduce((sum, layer) => sum + biasCount(layer), 0);
  const flash = {
    weights: layers.reduce((sum, layer) => sum + matrices(layer).reduce((n, m) => n + (m.values.length * layer.weightBits) / 8, 0), 0),
    requantization: all.reduce((sum, matrix) => sum + matrix.rows, 0) * (bytes.requantMult + bytes.requantShift),
    biases: biases * bytes.bias,
    tables: 2 * ACT_TABLE_SIZE * bytes.activationEntry + EXP_TABLE_SIZE * bytes.expEntry,
  };

  // Field order of the C state struct: held result, frame counter, LSTM cells, logits,
  // recurrent hidden states and hidden dense outputs, gate scratch.
  const cells = layers.reduce((sum, layer) => sum + (layer.kind === 'lstm' ? layer.units : 0), 0);
  const halves = layers.slice(0, -1).reduce((sum, layer) => sum + layer.units, 0);
  const state = bytes.result + bytes.stateWord + (cells + logitCount) * bytes.stateWord + halves * bytes.stateHalf;
  const scratch = Math.max(0, ...layers.map(scratchValues)) * bytes.stateHalf;
  const padding = (4 - ((state + scratch) % 4)) % 4;

  return {
    model: {
      name: qmodel.name,
      sourceHash: qmodel.sourceHash,
      inputSize: qmodel.inputSize,
      classes: classCountOf(qmodel),
      output: outputKindOf(qmodel),
      frames: qmodel.frames,
      threshold: qmodel.threshold,
      spikeBound: qmodel.spikeBound,
      inputScale: qmodel.inputScale,
      labels: qmodel.labels,
      layers: layers.map((layer, index) => summarize(layer, index === layers.length - 1)),
    },
    parameters: weightCount + biases,
    flashBytes: { total: flash.weights + flash.requantization + flash.biases + flash.tables, ...flash },
    ramBytes: { total: state + scratch + padding, state: state + padding, scratch },
    macsPerFrame: weightCount,
    agreement,
  };
}

const GATE_TEXT: Record<string, string> = {
  sigmoid: '',
  hard_sigmoid_keras2: ' hard_sigmoid (Keras 2)',
  hard_sigmoid_keras3: ' hard_sigmoid (Keras 3)',
};

/** Describes one layer for the network row, for example "LSTM 4-3" or "Dense 32 relu Q4.11". */
function describeLayer(layer: LayerSummary): string {
  if (layer.kind === 'dense') {
    const format = layer.outputFormat.endsWith('(int32)') ? '' : ` ${layer.outputFormat.replace(' (int16)', '')}`;
    return `Dense ${layer.units} ${layer.activation}${format}`;
  }
  const reset = layer.kind === 'gru' ? ` reset_after ${layer.resetAfter}` : '';
  return `${layer.kind.toUpperCase()} ${layer.inputSize}-${layer.units}${GATE_TEXT[layer.activation] ?? ''}${reset}`;
}

function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)} %`;
}

/** Formats the report as the table the CLI prints. */
export function formatReport(report: CompileReport): string {
  const { model, flashBytes, ramBytes } = report;
  const rows: [string, string][] = [
    ['model', `${model.name} (sha256 ${model.sourceHash.slice(0, 16)}...)`],
    ['network', model.layers.map(describeLayer).join(', ')],
    ['weights', model.layers[0].weightBits === 8 ? 'int8 per row, int32 accumulators' : 'int16 per row, int64 accumulators'],
    ['input', `int8, scale ${model.inputScale.toPrecision(6)} per step, ${model.frames || 'any number of'} frames`],
    ['threshold', `${model.threshold} (integer spike bound ${model.output === 'sigmoid' ? `L = ${model.spikeBound}, a Q.12 logit` : model.spikeBound})`],
    ['parameters', String(report.parameters)],
    [
      'flash bytes',
      `${flashBytes.total} (weights ${flashBytes.weights}, requantization ${flashBytes.requantization}, ` +
        `biases ${flashBytes.biases}, tables ${flashBytes.tables})`,
    ],
    ['RAM bytes', `${ramBytes.total} (state ${ramBytes.state}, scratch ${ramBytes.scratch})`],
    ['MACs per frame', String(report.macsPerFrame)],
  ];
  const agreement = report.agreement;
  if (agreement) {
    rows.push(
      ['sequences', String(agreement.sequences)],
      ['accuracy', `float ${percent(agreement.floatAccuracy)}, integer ${percent(agreement.integerAccuracy)}`],
      ['mean spike step', `float ${agreement.floatMeanStep.toFixed(2)}, integer ${agreement.integerMeanStep.toFixed(2)}`],
      [
        'agreement',
        `class ${percent(agreement.classAgreement)}, spike step ${percent(agreement.stepAgreement)}, both ${percent(agreement.agreement)}`,
      ],
      ['largest logit error', agreement.largestLogitError.toPrecision(4)],
    );
    if (agreement.saturatedInputs > 0) {
      rows.push(['saturated inputs', `${agreement.saturatedInputs} of ${agreement.inputValues} (largest |x| ${agreement.largestInput.toPrecision(4)})`]);
    }
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
