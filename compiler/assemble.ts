/**
 * The weights each layer kind of a parsed topology needs, and the float layers
 * built from the weights the loader found. The loader matches weights to layers
 * by layer name and role (loader-weights.ts). This file defines the roles and
 * shapes of each layer kind, in the Keras layout.
 */
import { assert } from '../common/errors.js';
import type { FloatLayer } from './float-layers.js';
import type { ExpectedWeight, WeightRole, WeightedLayer } from './loader-weights.js';
import type { LayerSpec, TopologySpec } from './topology.js';

/** Gate blocks per recurrent layer kind: i, f, c, o for an LSTM and z, r, h for a GRU. */
export function gateCount(kind: 'lstm' | 'gru'): number {
  return kind === 'lstm' ? 4 : 3;
}

const CLASS_NAMES = { lstm: 'LSTM', gru: 'GRU', dense: 'Dense' };

function expectedWeightsOf(spec: LayerSpec, inputSize: number): ExpectedWeight[] {
  if (spec.kind === 'dense') {
    return [{ role: 'kernel', shape: [inputSize, spec.units] }, ...(spec.useBias ? [{ role: 'bias' as const, shape: [spec.units] }] : [])];
  }
  const width = gateCount(spec.kind) * spec.units;
  // A GRU with reset_after true keeps two bias rows, [input bias; recurrent bias], as Keras does.
  const biasShape = spec.kind === 'gru' && spec.resetAfter ? [2, width] : [width];
  return [
    { role: 'kernel', shape: [inputSize, width] },
    { role: 'recurrent_kernel', shape: [spec.units, width] },
    ...(spec.useBias ? [{ role: 'bias' as const, shape: biasShape }] : []),
  ];
}

/** Returns the layers of `topology` in order, each with the weights its config implies. */
export function expectedWeights(topology: TopologySpec): WeightedLayer[] {
  let inputSize = topology.inputSize;
  return topology.layers.map((spec) => {
    const layer = { name: spec.name, className: CLASS_NAMES[spec.kind], weights: expectedWeightsOf(spec, inputSize) };
    inputSize = spec.units;
    return layer;
  });
}

function assembleLayer(spec: LayerSpec, inputSize: number, values: Map<WeightRole, Float32Array>): FloatLayer {
  const { name, units } = spec;
  const weight = (role: WeightRole): Float32Array => {
    const found = values.get(role);
    assert(found !== undefined, () => `layer "${name}" has no ${role} values`);
    return found;
  };
  if (spec.kind === 'dense') {
    const bias = spec.useBias ? weight('bias') : new Float32Array(units);
    return { kind: 'dense', name, inputSize, units, kernel: weight('kernel'), bias, activation: spec.activation };
  }
  const width = gateCount(spec.kind) * units;
  const kernel = weight('kernel');
  const recurrentKernel = weight('recurrent_kernel');
  if (spec.kind === 'lstm') {
    const bias = spec.useBias ? weight('bias') : new Float32Array(width);
    return { kind: 'lstm', name, inputSize, units, kernel, recurrentKernel, bias, recurrentActivation: spec.recurrentActivation };
  }
  const bias = spec.useBias ? weight('bias') : new Float32Array(spec.resetAfter ? 2 * width : width);
  return {
    kind: 'gru',
    name,
    inputSize,
    units,
    kernel,
    recurrentKernel,
    inputBias: bias.slice(0, width),
    recurrentBias: spec.resetAfter ? bias.slice(width, 2 * width) : new Float32Array(width),
    resetAfter: spec.resetAfter,
    recurrentActivation: spec.recurrentActivation,
  };
}

/** Builds the float layers of `topology` from layer name -> role -> values, as the loader's assignWeights returns them. */
export function assembleLayers(topology: TopologySpec, values: Map<string, Map<WeightRole, Float32Array>>): FloatLayer[] {
  let inputSize = topology.inputSize;
  return topology.layers.map((spec) => {
    const layerValues = values.get(spec.name);
    assert(layerValues !== undefined, () => `no weights were assigned to layer "${spec.name}"`);
    const layer = assembleLayer(spec, inputSize, layerValues);
    inputSize = spec.units;
    return layer;
  });
}
