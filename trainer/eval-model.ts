/**
 * Loads a float model for rc-eval and picks the forward pass that runs it.
 *
 * Two forward passes exist. The trainer's TensorFlow.js model runs a batch of
 * examples per step and reads every model that rc-train writes: LSTM layers,
 * hidden Dense relu layers, and a softmax or sigmoid output layer. The
 * compiler's float64 layers run one example at a time and read what rc-compile
 * loads, which adds GRU layers, linear and sigmoid hidden layers and
 * Keras-converted files without rank-coding metadata. The batched pass is the
 * faster: rc-eval took 14 s against 22 s (LSTM 784-128) and 4.6 s against 9.6 s
 * (LSTM 784-64) for the 10,000 MNIST test images over 10 frames, wall time on
 * 2 shared cores, wasm backend, Node.js 20. So 'auto' takes it whenever the
 * trainer's reader accepts the file.
 */
import { basename, dirname, resolve } from 'node:path';
import { UserError } from '../common/errors.js';
import type { FloatModel } from '../compiler/float-model.js';
import { loadModel } from '../compiler/loader.js';
import type { FloatModelInfo, OutputKind } from './eval-types.js';
import { loadRcModel } from './model-file.js';
import type { RcModelWeights } from './model.js';

export const ENGINE_NAMES = ['tfjs', 'float64'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
export type EngineChoice = 'auto' | EngineName;

/** A loaded model and the forward pass that runs it; exactly one of `trainer` and `float` is set. */
export interface EvalModel {
  engine: EngineName;
  info: FloatModelInfo;
  inputSize: number;
  /** T from the metadata or the input shape; 0 when the model states neither. */
  frames: number;
  /** The weights for the trainer's TensorFlow.js model (engine 'tfjs'). */
  trainer?: RcModelWeights;
  /** The compiler's float model (engine 'float64'). */
  float?: FloatModel;
}

/**
 * Loads model.json for the requested forward pass. 'auto' tries the trainer's
 * reader, then rc-compile's loader; when both reject the file, the error gives
 * both reasons.
 */
export async function loadEvalModel(path: string, choice: EngineChoice): Promise<EvalModel> {
  let trainerError: UserError | undefined;
  if (choice !== 'float64') {
    try {
      return await loadTrainerModel(path);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      if (choice === 'tfjs') throw new UserError(`--engine tfjs cannot run ${path}: ${withoutFullStop(error.message)}; pass --engine float64 or leave --engine out`);
      trainerError = error;
    }
  }
  try {
    return loadCompilerModel(path);
  } catch (error) {
    if (!(error instanceof UserError) || trainerError === undefined) throw error;
    throw new UserError(
      `rc-eval cannot run ${path}. The TensorFlow.js forward pass rejects it: ${withoutFullStop(trainerError.message)}. ` +
        `The float64 forward pass of rc-compile rejects it: ${error.message}`,
    );
  }
}

/** Returns a message without its closing full stop, for quoting it inside a sentence. */
function withoutFullStop(message: string): string {
  return message.endsWith('.') ? message.slice(0, -1) : message;
}

async function loadTrainerModel(path: string): Promise<EvalModel> {
  const { weights, metadata } = await loadRcModel(path);
  const lstmLayers = weights.lstmUnits.map((units, i) => `LSTM ${i === 0 ? weights.inputSize : weights.lstmUnits[i - 1]}-${units}`);
  const gates = weights.recurrentActivation === 'sigmoid' ? '' : ` (${weights.recurrentActivation} gates)`;
  const outputUnits = weights.dense[weights.dense.length - 1].bias.length;
  const layers = [...lstmLayers, ...weights.denseUnits.map((units) => `Dense ${units} relu`), `Dense ${outputUnits} ${weights.output}`];
  const info: FloatModelInfo = {
    path,
    name: modelName(path),
    task: metadata.task,
    mode: metadata.mode,
    beta: metadata.beta,
    threshold: metadata.threshold,
    labels: metadata.labels,
    layers: `${layers.join(', ')}${gates}`,
    output: weights.output,
  };
  return { engine: 'tfjs', info, inputSize: weights.inputSize, frames: metadata.frames ?? 0, trainer: weights };
}

function loadCompilerModel(path: string): EvalModel {
  const float = loadModel(path);
  const settings = float.settings;
  const info: FloatModelInfo = {
    path,
    name: modelName(path),
    task: settings.task,
    mode: settings.mode,
    beta: settings.beta,
    threshold: settings.threshold,
    labels: settings.labels,
    layers: describeLayers(float),
    output: outputKind(float),
  };
  return { engine: 'float64', info, inputSize: float.layers[0].inputSize, frames: settings.frames, float };
}

/** Returns the output form of a compiler float model; a sigmoid output is read as the trainer reads it. */
function outputKind(model: FloatModel): OutputKind {
  const last = model.layers[model.layers.length - 1];
  return last.kind === 'dense' && last.activation === 'sigmoid' ? 'sigmoid' : 'softmax';
}

/** Describes the layers of a compiler float model, such as "LSTM 784-128, Dense 10 softmax". */
export function describeLayers(model: FloatModel): string {
  return model.layers
    .map((layer) => {
      if (layer.kind === 'dense') return `Dense ${layer.units} ${layer.activation}`;
      const gates = layer.recurrentActivation === 'sigmoid' ? '' : ` (${layer.recurrentActivation} gates)`;
      return `${layer.kind.toUpperCase()} ${layer.inputSize}-${layer.units}${gates}`;
    })
    .join(', ');
}

/** Returns the name of the folder that contains model.json, such as "mnist" for runs/mnist/model.json. */
function modelName(path: string): string {
  return basename(dirname(resolve(path)));
}
