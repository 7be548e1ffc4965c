/** Writes small rank-coding models with seeded random weights, as rc-train exports them, for the rc-eval tests. */
import { exportLayersModel, type RankcodeMetadata } from '../../trainer/export.js';
import { initRcModelWeights, type RcModelShape, type RcModelWeights } from '../../trainer/model.js';

export interface RandomModelOptions {
  shape: RcModelShape;
  frames: number;
  task: string;
  labels: string[];
  seed: number;
  /** Factor on the output layer's weights: larger values make the outputs more confident, so spikes come at varied steps. */
  outputScale: number;
  threshold?: number;
}

/** Exports a model with random weights to `outDir` and returns its weights and the path of model.json. The backend must be selected. */
export async function writeRandomModel(outDir: string, options: RandomModelOptions): Promise<{ path: string; weights: RcModelWeights }> {
  const weights = initRcModelWeights(options.shape, options.seed);
  const output = weights.dense[weights.dense.length - 1];
  output.kernel = output.kernel.map((value) => value * options.outputScale);
  output.bias = output.bias.map((_, i) => 0.3 * ((i % 3) - 1));
  const metadata: RankcodeMetadata = {
    version: 1,
    task: options.task,
    mode: 'rc',
    threshold: options.threshold ?? 0.95,
    beta: 0,
    labels: options.labels,
    frames: options.frames,
    frameShape: [options.shape.inputSize],
    input: { kind: 'binary', min: 0, max: 1 },
  };
  const exported = await exportLayersModel(weights, metadata, outDir);
  return { path: exported.modelPath, weights };
}
