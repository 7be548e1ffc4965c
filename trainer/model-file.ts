import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../common/errors.js';
import type { RankcodeMetadata } from './export.js';
import type { RcLstmWeights } from './model.js';

/**
 * Returns an IOHandler that loads a layers-format model.json and its weight shards
 * from the local file system, for tf.loadLayersModel without tfjs-node.
 */
export function fileModelHandler(modelPath: string): tf.io.IOHandler {
  return { load: () => loadModelArtifacts(modelPath) };
}

async function loadModelArtifacts(modelPath: string): Promise<tf.io.ModelArtifacts> {
  const modelJson = readModelJson(modelPath);
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const shards = manifest.flatMap((group) => group.paths.map((path) => readShard(modelPath, join(dirname(modelPath), path))));
    return [specs, shards];
  });
}

/** Weight names of the model that rc-train exports, in RcLstmWeights order. */
const WEIGHT_NAMES = ['lstm/kernel', 'lstm/recurrent_kernel', 'lstm/bias', 'dense/kernel', 'dense/bias'] as const;

/**
 * Reads the weights and the rank-coding metadata of a model written by rc-train,
 * for evaluateFloat. Throws a UserError when the file is not such a model.
 */
export async function loadRcLstmModel(modelPath: string): Promise<{ weights: RcLstmWeights; metadata: RankcodeMetadata }> {
  const artifacts = await loadModelArtifacts(modelPath);
  const metadata = (artifacts.userDefinedMetadata as { rankcode?: RankcodeMetadata } | undefined)?.rankcode;
  if (metadata === undefined || metadata.version !== 1) {
    throw new UserError(`${modelPath}: missing userDefinedMetadata.rankcode version 1; pass a model.json written by rc-train`);
  }
  const tensors = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), artifacts.weightSpecs ?? []);
  try {
    const [kernel, recurrentKernel, bias, denseKernel, denseBias] = WEIGHT_NAMES.map((name) => {
      const tensor = tensors[name];
      if (tensor === undefined) {
        throw new UserError(`${modelPath}: weight ${name} not found; pass a model.json written by rc-train (LSTM named lstm, Dense named dense)`);
      }
      return tensor;
    });
    const [inputSize, gates] = kernel.shape;
    const classes = denseBias.shape[0];
    const units = gates / 4;
    const expected = [
      [inputSize, 4 * units],
      [units, 4 * units],
      [4 * units],
      [units, classes],
      [classes],
    ];
    [kernel, recurrentKernel, bias, denseKernel, denseBias].forEach((tensor, i) => {
      if (tensor.shape.join(',') !== expected[i].join(',')) {
        throw new UserError(`${modelPath}: weight ${WEIGHT_NAMES[i]} has shape [${tensor.shape}], expected [${expected[i]}]; the weights file does not match the model`);
      }
    });
    const read = (tensor: tf.Tensor) => tensor.dataSync() as Float32Array;
    const weights: RcLstmWeights = {
      inputSize,
      units,
      classes,
      kernel: read(kernel),
      recurrentKernel: read(recurrentKernel),
      bias: read(bias),
      denseKernel: read(denseKernel),
      denseBias: read(denseBias),
    };
    return { weights, metadata };
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

function readModelJson(modelPath: string): tf.io.ModelJSON {
  let text: string;
  try {
    text = readFileSync(modelPath, 'utf8');
  } catch (error) {
    throw new UserError(`failed to read model ${modelPath}: ${(error as Error).message}; pass the path of a model.json`);
  }
  try {
    return JSON.parse(text) as tf.io.ModelJSON;
  } catch (error) {
    throw new UserError(`invalid model ${modelPath}: ${(error as Error).message}; pass a model.json in the TensorFlow.js layers format`);
  }
}

function readShard(modelPath: string, shardPath: string): ArrayBuffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(shardPath);
  } catch (error) {
    throw new UserError(`failed to read weight shard ${shardPath} of ${modelPath}: ${(error as Error).message}; keep the shards beside model.json`);
  }
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
