import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { assert } from '../common/errors.js';
import { writeFileAtomic } from '../common/files.js';
import { denseSizes, flattenWeights, layerName, variableNames, type RcModelWeights } from './model.js';
import type { InputRange } from './task-data.js';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** Rank-coding settings stored in model.json under userDefinedMetadata.rankcode (see docs/MODEL_FORMAT.md). */
export interface RankcodeMetadata {
  version: 1;
  task: string;
  mode: 'rc' | 'eos';
  /** Spike threshold theta; the spike rule of each output form is in docs/MODEL_FORMAT.md. */
  threshold: number;
  /** Entropy weight of the training loss in the epoch whose weights were exported. */
  beta: number;
  /** Class names, indexed by class. A single sigmoid output unit is the probability of labels[1]. */
  labels: string[];
  /** Frames per sequence (T). */
  frames: number;
  /** Shape of one frame; the LSTM input size is its product. */
  frameShape: number[];
  /** Range of the input values: 'binary' (0 or 1) or 'real' (the range of the training split). */
  input: InputRange;
}

/**
 * Builds a tf.layers Sequential model equal to the trained one: the LSTM layers
 * (returnSequences true, recurrentActivation written out), then the hidden Dense
 * relu layers and the output Dense layer (softmax or sigmoid), which tf.layers and
 * Keras apply at every step. Layers get the Keras default names: lstm, lstm_1, ...,
 * dense, dense_1, ..., so the output layer is the last dense layer. The
 * initializers in the config are zeros because the trained weights replace them,
 * and the default orthogonal initializer of tf.layers is slow on large matrices.
 */
export function buildLayersModel(weights: RcModelWeights, frames: number): tfl.Sequential {
  const lstmLayers = weights.lstmUnits.map((units, i) =>
    tfl.layers.lstm({
      name: layerName('lstm', i),
      units,
      activation: 'tanh',
      recurrentActivation: weights.recurrentActivation === 'sigmoid' ? 'sigmoid' : 'hardSigmoid',
      returnSequences: true,
      unitForgetBias: true,
      kernelInitializer: 'zeros',
      recurrentInitializer: 'zeros',
      biasInitializer: 'zeros',
      ...(i === 0 ? { batchInputShape: [null, frames, weights.inputSize] } : {}),
    }),
  );
  const denseLayers = denseSizes(weights).map(([, units], i) =>
    tfl.layers.dense({
      name: layerName('dense', i),
      units,
      activation: i < weights.denseUnits.length ? 'relu' : weights.output,
      kernelInitializer: 'zeros',
    }),
  );
  // A fixed name: tf.layers numbers unnamed models with a process-wide counter, which would make model.json differ between runs.
  // Building the model leaves 4 tensors per LSTM layer behind in tfjs-layers 4.22 (measured, probably from
  // the unit_forget_bias initializer). tf.tidy disposes them and keeps the weights, which are variables.
  let built: tfl.Sequential | undefined;
  tf.tidy(() => {
    built = tfl.sequential({ name: 'sequential', layers: [...lstmLayers, ...denseLayers] });
  });
  const model = built!;
  const flat = flattenWeights(weights);
  const names = variableNames(weights);
  const values = model.weights.map((weight, i) => {
    assert(weight.originalName === names[i], () => `layers model weight ${i} is ${weight.originalName}, expected ${names[i]}`);
    return tf.tensor(flat[i], weight.shape as number[]);
  });
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

export interface ExportedModel {
  modelPath: string;
  weightsPath: string;
  weightBytes: number;
}

/**
 * Writes `<outDir>/model.json` and `<outDir>/weights.bin` in the TensorFlow.js layers
 * format (float32 weights, one shard) through tf.io.withSaveHandler, so no file
 * system handler of tfjs-node is needed. Each file is written atomically.
 */
export async function exportLayersModel(weights: RcModelWeights, metadata: RankcodeMetadata, outDir: string): Promise<ExportedModel> {
  const model = buildLayersModel(weights, metadata.frames);
  model.setUserDefinedMetadata({ rankcode: metadata });
  const modelPath = join(outDir, MODEL_FILE);
  const weightsPath = join(outDir, WEIGHTS_FILE);
  let weightBytes = 0;
  try {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
        weightBytes = weightData.byteLength;
        const manifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }];
        // The fields of tf.io.ModelJSON, as tfjs's own file handlers write them.
        const modelJson: tf.io.ModelJSON = {
          modelTopology: artifacts.modelTopology as {},
          format: artifacts.format,
          generatedBy: artifacts.generatedBy,
          convertedBy: artifacts.convertedBy,
          weightsManifest: manifest,
          userDefinedMetadata: artifacts.userDefinedMetadata,
        };
        writeFileAtomic(weightsPath, new Uint8Array(weightData));
        writeFileAtomic(modelPath, `${JSON.stringify(modelJson, null, 2)}\n`);
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
  } finally {
    model.dispose();
  }
  return { modelPath, weightsPath, weightBytes };
}
