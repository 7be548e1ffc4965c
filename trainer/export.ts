import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { writeFileAtomic } from '../common/files.js';
import type { RcLstmWeights } from './model.js';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** Rank-coding settings stored in model.json under userDefinedMetadata.rankcode (see docs/MODEL_FORMAT.md). */
export interface RankcodeMetadata {
  version: 1;
  task: string;
  mode: 'rc' | 'eos';
  /** Spike threshold theta on the max softmax output. */
  threshold: number;
  beta: number;
  /** Class names, indexed by output unit. */
  labels: string[];
  /** Frames per sequence (T). */
  frames: number;
  /** Shape of one frame; the LSTM input size is its product. */
  frameShape: number[];
  input: { kind: 'binary'; min: number; max: number };
}

/**
 * Builds a tf.layers Sequential model equal to the trained one: LSTM(units,
 * returnSequences, recurrentActivation 'sigmoid') over [batch, frames, inputSize],
 * then Dense(classes, softmax), which tf.layers and Keras apply at every step.
 * The initializers in the config are zeros because the trained weights replace them,
 * and the default orthogonal initializer of tf.layers is slow on large matrices.
 */
export function buildLayersModel(weights: RcLstmWeights, frames: number): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.lstm({
        name: 'lstm',
        units: weights.units,
        activation: 'tanh',
        recurrentActivation: 'sigmoid',
        returnSequences: true,
        unitForgetBias: true,
        kernelInitializer: 'zeros',
        recurrentInitializer: 'zeros',
        biasInitializer: 'zeros',
        batchInputShape: [null, frames, weights.inputSize],
      }),
      tfl.layers.dense({ name: 'dense', units: weights.classes, activation: 'softmax', kernelInitializer: 'zeros' }),
    ],
  });
  const { inputSize, units, classes } = weights;
  const values = tf.tidy(() => [
    tf.tensor2d(weights.kernel, [inputSize, 4 * units]),
    tf.tensor2d(weights.recurrentKernel, [units, 4 * units]),
    tf.tensor1d(weights.bias),
    tf.tensor2d(weights.denseKernel, [units, classes]),
    tf.tensor1d(weights.denseBias),
  ]);
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
export async function exportLayersModel(weights: RcLstmWeights, metadata: RankcodeMetadata, outDir: string): Promise<ExportedModel> {
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
