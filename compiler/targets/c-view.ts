/**
 * Template views of the C target. modelCView gives the model-level fields that
 * every C template uses: sizes, threshold, tables and labels. buildCNetworkView
 * adds the constants, the state fields and the step call of each layer, for
 * the layer kernels of targets/c/runtime/rc_layers.h. Every number and string
 * is formatted here, so the templates stay logic-free.
 */
import { assert } from '../../common/errors.js';
import { classMacroNames, escapeCComment, escapeCString, formatArrayBody, formatInt32 } from '../c-syntax.js';
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
import { type DenseActivation, type GateActivation, type QLayer, type QModel, type Requant, classCountOf, gateRows, outputLayerOf } from '../qmodel.js';
import { scratchValues } from '../report.js';
import type { EmitContext } from '../target.js';

const GATE_KINDS: Record<GateActivation, string> = {
  sigmoid: 'RC_GATE_SIGMOID',
  hard_sigmoid_keras2: 'RC_GATE_HARD_SIGMOID_KERAS2',
  hard_sigmoid_keras3: 'RC_GATE_HARD_SIGMOID_KERAS3',
};

const GATE_ORDER = { lstm: 'i, f, g, o', gru: 'z, r, h' };

const DENSE_KINDS: Record<DenseActivation, string> = {
  linear: 'RC_DENSE_LINEAR',
  relu: 'RC_DENSE_RELU',
  sigmoid: 'RC_DENSE_SIGMOID',
  softmax: 'RC_DENSE_LINEAR',
};

/** Builds the view fields that describe a model's spike rule, for the C headers and the wasm loader. */
export function spikeRuleView(qmodel: QModel): Record<string, unknown> {
  const output = outputLayerOf(qmodel);
  if (output.activation === 'sigmoid') {
    const oneUnit = output.units === 1;
    return {
      outputKind: 'RC_OUTPUT_SIGMOID',
      logitCount: output.units,
      logitsText: oneUnit ? 'one sigmoid unit, the logit of P(class 1)' : 'one sigmoid unit per class',
      thresholdSubject: oneUnit ? 'the sigmoid output y for class 1 and on 1 - y for class 0' : 'the top sigmoid output',
      spikeBoundText: oneUnit
        ? 'L, the smallest Q.12 logit with sigmoid(L / 2^12) >= theta: a frame spikes when z >= L (class 1) or z <= -L (class 0).'
        : 'L, the smallest Q.12 logit with sigmoid(L / 2^12) >= theta: a frame spikes when the top logit is >= L.',
    };
  }
  return {
    outputKind: 'RC_OUTPUT_SOFTMAX',
    logitCount: output.units,
    logitsText: 'one softmax unit per class',
    thresholdSubject: 'the top softmax probability',
    spikeBoundText: 'floor(2^16 / theta): a frame spikes when sum_j exp(z_j - z_max) in Q0.16 is <= this bound.',
  };
}

function int32Values(values: ArrayLike<number>): string {
  return formatArrayBody(values, 8, '  ', formatInt32);
}

/** Builds the model-level fields of a C template view. */
export function modelCView(context: EmitContext): Record<string, unknown> {
  const { qmodel, prefix } = context;
  return {
    prefix,
    macroPrefix: prefix.toUpperCase(),
    guard: `${prefix.toUpperCase()}_MODEL_H`,
    inputSize: qmodel.inputSize,
    classes: classCountOf(qmodel),
    ...spikeRuleView(qmodel),
    spikeBound: formatInt32(qmodel.spikeBound),
    threshold: String(qmodel.threshold),
    inputScale: qmodel.inputScale.toPrecision(9),
    framesText: qmodel.frames > 0 ? `sequences of ${qmodel.frames} frames` : 'sequences of unstated length',
    actTableSize: ACT_TABLE_SIZE,
    actTableShift: ACT_TABLE_SHIFT,
    expTableSize: EXP_TABLE_SIZE,
    expTableShift: EXP_TABLE_SHIFT,
    expInputLimit: EXP_INPUT_LIMIT,
    sigmoidTable: formatArrayBody(SIGMOID_TABLE, 12),
    tanhTable: formatArrayBody(TANH_TABLE, 12),
    expTable: int32Values(EXP_TABLE),
    labels: qmodel.labels.map((label) => `  "${escapeCString(label)}"`).join(',\n'),
    classConstants: classMacroNames(prefix, qmodel.labels).map((name, index) => ({ name, index, label: escapeCComment(qmodel.labels[index]) })),
  };
}

interface CConstant {
  comment: string;
  ctype: string;
  name: string;
  size: number;
  body: string;
}

interface CStateField {
  comment: string;
  declaration: string;
}

/** The constants of one weight matrix and the rc_matrix initializer that points at them. */
function matrixConstants(name: string, values: number[], bits: 8 | 16, columns: number, requant: Requant, what: string) {
  const ctype = bits === 8 ? 'int8_t' : 'int16_t';
  const rows = requant.mult.length;
  const constants: CConstant[] = [
    { comment: `${what}: ${ctype} [${rows}][${columns}], one row per output.`, ctype, name, size: values.length, body: formatArrayBody(values, bits === 8 ? 20 : 12) },
    { comment: 'Requantization to the output format: real multiplier = mult * 2^-shift per row.', ctype: 'int16_t', name: `${name}_mult`, size: rows, body: formatArrayBody(requant.mult, 12) },
    { comment: '', ctype: 'uint8_t', name: `${name}_shift`, size: rows, body: formatArrayBody(requant.shift, 16) },
  ];
  const pointers = bits === 8 ? `${name}, NULL` : `NULL, ${name}`;
  const initializer = `{ ${pointers}, ${columns}u, { ${name}_mult, ${name}_shift } }`;
  assert(values.length === rows * columns, () => `${name} has ${values.length} values, not ${rows} x ${columns}`);
  return { constants, initializer };
}

interface LayerView {
  constants: CConstant[];
  definition: string;
  stateFields: { words: CStateField[]; halves: CStateField[] };
  call: string;
}

function layerView(prefix: string, layer: QLayer, index: number, inputExpression: string, isOutput: boolean): LayerView {
  const base = `${prefix}_layer${index}`;
  const kernel = matrixConstants(`${base}_kernel`, layer.kernel, layer.weightBits, layer.inputSize, layer.kind === 'dense' ? layer.requant : layer.kernelRequant, 'Kernel');
  const name = escapeCComment(layer.name);
  if (layer.kind === 'dense') {
    const bias: CConstant = { comment: `Bias, int32 in units of 2^-${layer.outputFracBits}.`, ctype: 'int32_t', name: `${base}_bias`, size: layer.units, body: int32Values(layer.bias) };
    const constants = [...kernel.constants, bias];
    const definition =
      `/* Dense layer ${index} "${name}": ${layer.units} units, ${layer.activation}. */\n` +
      `static const rc_dense ${base} = { ${layer.units}u, ${kernel.initializer}, ${base}_bias, ${DENSE_KINDS[layer.activation]} };`;
    if (isOutput) {
      return { constants, definition, stateFields: { words: [], halves: [] }, call: `rc_dense_logits_forward(&${base}, ${inputExpression}, state->logits);` };
    }
    const format = layer.activation === 'sigmoid' ? 'Q0.15' : `Q${15 - layer.outputFracBits}.${layer.outputFracBits}`;
    const field = { comment: `Output of dense layer ${index}, int16 ${format}.`, declaration: `int16_t output_${index}[${layer.units}u];` };
    const call = `rc_dense_hidden_forward(&${base}, &${prefix}_tables, ${inputExpression}, state->output_${index});`;
    return { constants, definition, stateFields: { words: [], halves: [field] }, call };
  }

  const rows = gateRows(layer);
  const recurrent = matrixConstants(`${base}_recurrent`, layer.recurrentKernel, layer.weightBits, layer.units, layer.recurrentRequant, 'Recurrent kernel');
  const constants = [
    ...kernel.constants,
    ...recurrent.constants,
    { comment: 'Bias, Q3.12 in int32.', ctype: 'int32_t', name: `${base}_bias`, size: rows, body: int32Values(layer.bias) },
  ];
  const hidden = { comment: `Hidden state of ${layer.kind.toUpperCase()} layer ${index}, Q0.15.`, declaration: `int16_t hidden_${index}[${layer.units}u];` };
  const header = `/* ${layer.kind.toUpperCase()} layer ${index} "${name}": ${layer.units} units, gate rows ${GATE_ORDER[layer.kind]}. */\n`;
  const gate = GATE_KINDS[layer.recurrentActivation];
  if (layer.kind === 'lstm') {
    const cell = { comment: `Cell state of LSTM layer ${index}, Q16.15.`, declaration: `int32_t cell_${index}[${layer.units}u];` };
    return {
      constants,
      definition: header + `static const rc_lstm ${base} = { ${layer.units}u, ${kernel.initializer}, ${recurrent.initializer}, ${base}_bias, ${gate} };`,
      stateFields: { words: [cell], halves: [hidden] },
      call: `rc_lstm_forward(&${base}, &${prefix}_tables, ${inputExpression}, state->hidden_${index}, state->cell_${index}, state->gates);`,
    };
  }
  constants.push({ comment: 'Recurrent bias, Q3.12 in int32 (zeros unless reset_after).', ctype: 'int32_t', name: `${base}_recurrent_bias`, size: rows, body: int32Values(layer.recurrentBias) });
  return {
    constants,
    definition:
      header +
      `static const rc_gru ${base} = { ${layer.units}u, ${kernel.initializer}, ${recurrent.initializer}, ${base}_bias, ${base}_recurrent_bias, ` +
      `${layer.resetAfter ? 1 : 0}, ${gate} };`,
    stateFields: { words: [], halves: [hidden] },
    call: `rc_gru_forward(&${base}, &${prefix}_tables, ${inputExpression}, state->hidden_${index}, state->gates);`,
  };
}

/** Builds the complete view of the C target's templates for any supported layer stack. */
export function buildCNetworkView(context: EmitContext): Record<string, unknown> {
  const { qmodel, prefix } = context;
  const last = qmodel.layers.length - 1;
  const logitCount = outputLayerOf(qmodel).units;
  const views = qmodel.layers.map((layer, index) => {
    const previous = qmodel.layers[index - 1];
    const input = index === 0 ? 'rc_vector_s8(frame)' : `rc_vector_s16(state->${previous.kind === 'dense' ? 'output' : 'hidden'}_${index - 1})`;
    return layerView(prefix, layer, index, input, index === last);
  });
  const logits: CStateField = { comment: 'Logits of the last computed frame, Q.12.', declaration: `int32_t logits[${logitCount}u];` };
  const scratch = Math.max(...qmodel.layers.map(scratchValues));
  const gates: CStateField = { comment: 'Gate pre-activations, Q3.12: scratch of the step function.', declaration: `int16_t gates[${scratch}u];` };
  const macro = prefix.toUpperCase();
  const spikeTestCall =
    outputLayerOf(qmodel).activation === 'sigmoid'
      ? `rc_sigmoid_spike_test(state->logits, ${macro}_LOGITS, ${macro}_SPIKE_BOUND, ${prefix}_sigmoid_q15, &result);`
      : `rc_spike_test(state->logits, ${macro}_LOGITS, ${macro}_SPIKE_BOUND, ${prefix}_exp_q16, &result);`;
  return {
    ...modelCView(context),
    spikeTestCall,
    constants: views.flatMap((view) => view.constants),
    definitions: views.map((view) => view.definition).join('\n\n'),
    // Field order, which report.ts follows: int32 cells, logits, int16 states and outputs, gate scratch.
    stateFields: [...views.flatMap((view) => view.stateFields.words), logits, ...views.flatMap((view) => view.stateFields.halves), gates],
    calls: views.map((view) => view.call),
    network: qmodel.layers.map((layer) => (layer.kind === 'dense' ? `Dense ${layer.units} ${layer.activation}` : `${layer.kind.toUpperCase()} ${layer.units}`)).join(', '),
  };
}
