import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../common/errors.js';
import { briefJson, readModelJson } from '../compiler/loader-files.js';
import { readWeights } from '../compiler/loader-weights.js';
import { checkModelJson } from '../compiler/loader.js';
import type { RankcodeMetadata } from './export.js';
import type { OutputKind } from './data/user-data.js';
import { denseSizes, lstmInputSizes, outputUnits, variableNames, type RcModelShape, type RcModelWeights } from './model.js';

/**
 * Returns an IOHandler that loads a layers-format model.json and its weight shards
 * from the local file system, for tf.loadLayersModel without tfjs-node.
 */
export function fileModelHandler(modelPath: string): tf.io.IOHandler {
  return { load: () => loadModelArtifacts(modelPath) };
}

/**
 * Reads model.json and its shards with the checks of rc-compile's loader: the
 * layers-model format, the input range of the metadata, size limits, shard paths and symbolic links that stay inside the model's folder,
 * shard sizes that match the manifest and finite values. Returns the decoded
 * weights to tfjs as one float32 buffer.
 */
async function loadModelArtifacts(modelPath: string): Promise<tf.io.ModelArtifacts> {
  const { json, folder } = readModelJson(modelPath);
  checkModelJson(json, modelPath);
  const weights = readWeights(json.weightsManifest, folder, createHash('sha256'));
  for (const entry of weights.values()) {
    const bad = entry.values.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) {
      throw new UserError(`${modelPath}: weight ${briefJson(entry.name)} has the non-finite value ${entry.values[bad]} at index ${bad}; retrain or re-export the model`);
    }
  }
  const entries = [...weights.values()];
  const weightData = new Float32Array(entries.reduce((sum, entry) => sum + entry.values.length, 0));
  let offset = 0;
  for (const entry of entries) {
    weightData.set(entry.values, offset);
    offset += entry.values.length;
  }
  const modelJson = json as unknown as tf.io.ModelJSON;
  return {
    modelTopology: modelJson.modelTopology,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
    userDefinedMetadata: modelJson.userDefinedMetadata,
    weightSpecs: entries.map((entry) => ({ name: entry.name, shape: entry.shape, dtype: 'float32' as const })),
    weightData: weightData.buffer,
  };
}

/** One layer of a Sequential topology, as model.json stores it. */
interface LayerJson {
  class_name: string;
  config: { name: string; units?: number; activation?: string; recurrent_activation?: string; return_sequences?: boolean };
}

/**
 * Reads the weights and the rank-coding metadata of a model written by rc-train,
 * for evaluateFloat and further training. Throws a UserError when the file is not
 * such a model: a Sequential of LSTM layers, hidden Dense relu layers and a softmax
 * or sigmoid Dense output layer.
 */
export async function loadRcModel(modelPath: string): Promise<{ weights: RcModelWeights; metadata: RankcodeMetadata }> {
  const artifacts = await loadModelArtifacts(modelPath);
  const metadata = (artifacts.userDefinedMetadata as { rankcode?: RankcodeMetadata } | undefined)?.rankcode;
  if (metadata === undefined || metadata.version !== 1) {
    throw new UserError(`${modelPath}: missing userDefinedMetadata.rankcode version 1; pass a model.json written by rc-train`);
  }
  const shape = readShape(modelPath, artifacts.modelTopology, metadata);
  const tensors = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), artifacts.weightSpecs ?? []);
  try {
    const names = variableNames(shape);
    const extra = Object.keys(tensors).filter((name) => !names.includes(name));
    if (extra.length > 0) {
      throw new UserError(`${modelPath}: weightsManifest lists ${extra.map((name) => briefJson(name)).join(', ')}, which the model does not use; pass a model.json written by rc-train`);
    }
    const expectedShapes = [
      ...lstmInputSizes(shape).flatMap((inputSize, i) => {
        const units = shape.lstmUnits[i];
        return [[inputSize, 4 * units], [units, 4 * units], [4 * units]];
      }),
      ...denseSizes(shape).flatMap(([inputSize, units]) => [[inputSize, units], [units]]),
    ];
    const values = names.map((name, i) => {
      const tensor = tensors[name];
      if (tensor === undefined) throw new UserError(`${modelPath}: weight ${name} not found; pass a model.json written by rc-train`);
      if (tensor.shape.join(',') !== expectedShapes[i].join(',')) {
        throw new UserError(`${modelPath}: weight ${name} has shape [${tensor.shape}], expected [${expectedShapes[i]}]; the weights file does not match the model`);
      }
      return tensor.dataSync() as Float32Array;
    });
    let next = 0;
    const take = () => values[next++];
    const weights: RcModelWeights = {
      ...shape,
      lstm: shape.lstmUnits.map(() => ({ kernel: take(), recurrentKernel: take(), bias: take() })),
      dense: denseSizes(shape).map(() => ({ kernel: take(), bias: take() })),
    };
    return { weights, metadata };
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

function readShape(modelPath: string, topology: unknown, metadata: RankcodeMetadata): RcModelShape {
  const layers = ((topology as { config?: { layers?: LayerJson[] } } | undefined)?.config?.layers ?? []).filter((layer) => layer.class_name !== 'InputLayer');
  const lstm = layers.filter((layer) => layer.class_name === 'LSTM');
  const dense = layers.slice(lstm.length);
  const form = 'rc-train writes LSTM layers, then Dense layers with relu and a softmax or sigmoid output layer';
  if (lstm.length === 0 || dense.length === 0 || dense.some((layer) => layer.class_name !== 'Dense') || layers.slice(0, lstm.length).some((layer) => layer.class_name !== 'LSTM')) {
    throw new UserError(`${modelPath}: the layers are ${layers.map((layer) => layer.class_name).join(', ') || 'none'}; ${form}`);
  }

  const hidden = dense.slice(0, -1);
  const outputLayer = dense[dense.length - 1].config;
  const recurrent = lstm[0].config.recurrent_activation;
  if (hidden.some((layer) => layer.config.activation !== 'relu') || (outputLayer.activation !== 'softmax' && outputLayer.activation !== 'sigmoid')) {
    throw new UserError(`${modelPath}: the Dense activations are ${dense.map((layer) => layer.config.activation).join(', ')}; ${form}`);
  }
  if (lstm.some((layer) => layer.config.recurrent_activation !== recurrent) || (recurrent !== 'sigmoid' && recurrent !== 'hard_sigmoid')) {
    throw new UserError(`${modelPath}: unsupported recurrent activations ${lstm.map((layer) => layer.config.recurrent_activation).join(', ')}; expected sigmoid or hard_sigmoid in every LSTM layer`);
  }

  const output: OutputKind = outputLayer.activation;
  const units = outputLayer.units ?? 0;
  const classes = output === 'sigmoid' && units === 1 ? 2 : units;
  if (metadata.labels.length !== classes || outputUnits({ output, classes }) !== units) {
    throw new UserError(`${modelPath}: the ${output} output layer has ${units} units, which does not fit the ${metadata.labels.length} labels of userDefinedMetadata.rankcode`);
  }
  return {
    inputSize: metadata.frameShape.reduce((product, size) => product * size, 1),
    lstmUnits: lstm.map((layer) => layer.config.units ?? 0),
    denseUnits: hidden.map((layer) => layer.config.units ?? 0),
    classes,
    output,
    recurrentActivation: recurrent,
  };
}
