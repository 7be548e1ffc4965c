/**
 * The compile report: size and cost of a quantized model as the runtimes store
 * and run it, plus float-versus-integer agreement when evaluation data is given.
 * Byte counts follow the data layout of the C target (targets/c), which keeps
 * every constant in flash and the whole state in one caller-owned struct.
 */
import { ACT_TABLE_SIZE, EXP_TABLE_SIZE } from './fixed-point.js';
import type { QDenseLayer, QLstmLayer, QModel } from './qmodel.js';
import type { AgreementReport } from './evaluate.js';

/** Bytes of each stored element in the C target. */
export const STORAGE_BYTES = {
  weight: 1, // int8_t
  requantMult: 2, // int16_t, 0 <= mult < 2^15
  requantShift: 1, // uint8_t, 1..62
  bias: 4, // int32_t
  activationEntry: 2, // int16_t, Q0.15
  expEntry: 4, // int32_t, Q0.16 up to 65536
  stateWord: 4, // int32_t cell and logits, uint32_t frame counter
  stateHalf: 2, // int16_t hidden state and gate scratch
  result: 16, // rc_result: four 32-bit fields
};

export interface CompileReport {
  model: {
    name: string;
    sourceHash: string;
    inputSize: number;
    units: number;
    classes: number;
    frames: number;
    threshold: number;
    spikeBound: number;
    inputScale: number;
    labels: string[];
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

function layersOf(qmodel: QModel): { lstm: QLstmLayer; dense: QDenseLayer } {
  const [lstm, dense] = qmodel.layers;
  if (qmodel.layers.length !== 2 || lstm.kind !== 'lstm' || dense.kind !== 'dense') {
    throw new Error('internal error: a compiled model is one LSTM layer followed by one dense layer');
  }
  return { lstm, dense };
}

/** Computes the size and cost figures of a quantized model. */
export function buildReport(qmodel: QModel, agreement?: AgreementReport): CompileReport {
  const { lstm, dense } = layersOf(qmodel);
  const units = lstm.units;
  const classes = dense.units;
  const gateRows = 4 * units;
  const bytes = STORAGE_BYTES;

  const weightCount = lstm.kernel.length + lstm.recurrentKernel.length + dense.kernel.length;
  const requantRows = 2 * gateRows + classes;
  const flash = {
    weights: weightCount * bytes.weight,
    requantization: requantRows * (bytes.requantMult + bytes.requantShift),
    biases: (gateRows + classes) * bytes.bias,
    tables: 2 * ACT_TABLE_SIZE * bytes.activationEntry + EXP_TABLE_SIZE * bytes.expEntry,
  };

  // Field order of the C state struct: held result, frame counter, cell, logits, hidden, gates.
  const state = bytes.result + bytes.stateWord + (units + classes) * bytes.stateWord + units * bytes.stateHalf;
  const scratch = gateRows * bytes.stateHalf;
  const padding = (4 - ((state + scratch) % 4)) % 4;

  return {
    model: {
      name: qmodel.name,
      sourceHash: qmodel.sourceHash,
      inputSize: qmodel.inputSize,
      units,
      classes,
      frames: qmodel.frames,
      threshold: qmodel.threshold,
      spikeBound: qmodel.spikeBound,
      inputScale: qmodel.inputScale,
      labels: qmodel.labels,
    },
    parameters: weightCount + gateRows + classes,
    flashBytes: { total: flash.weights + flash.requantization + flash.biases + flash.tables, ...flash },
    ramBytes: { total: state + scratch + padding, state: state + padding, scratch },
    macsPerFrame: weightCount,
    agreement,
  };
}

function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)} %`;
}

/** Formats the report as the table the CLI prints. */
export function formatReport(report: CompileReport): string {
  const { model, flashBytes, ramBytes } = report;
  const rows: [string, string][] = [
    ['model', `${model.name} (sha256 ${model.sourceHash.slice(0, 16)}...)`],
    ['network', `LSTM ${model.inputSize}-${model.units}, Dense ${model.classes} softmax`],
    ['input', `int8, scale ${model.inputScale.toPrecision(6)} per step, ${model.frames || 'any number of'} frames`],
    ['threshold', `${model.threshold} (integer spike bound ${model.spikeBound})`],
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
      ['agreement', `class ${percent(agreement.classAgreement)}, spike step ${percent(agreement.stepAgreement)}`],
    );
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
