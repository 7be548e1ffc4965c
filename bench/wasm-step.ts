/**
 * Measures the wasm runtime in microseconds per frame on a random 784-input,
 * 64-unit, 10-class LSTM model (the temporal MNIST size), for the scalar and the
 * SIMD build, through the generated loader:
 *   step   one step() call per frame, from JavaScript
 *   run    run() over a batch of frames, one call per sequence
 * on dense random int8 frames and on sparse binary frames (3 % ones, like the
 * spike frames of temporal MNIST). The spike bound is set below 65536, which no
 * frame reaches, so every frame is computed. Also reports the time to emit and
 * compile model.wasm after a warm-up compile, and the reference simulator for
 * comparison.
 *
 * Usage: node dist/bench/wasm-step.js [--inputs 784] [--units 64] [--frames 200]
 * --frames sets the frames per timed block.
 */
import { parseArgs } from 'node:util';
import { ReferenceSimulator } from '../compiler/simulator.js';
import { Random, randomFrames, randomQModel } from '../test/runtime-as/random-qmodel.js';
import { emitModel, removeTemporaryFolders, type LoadedModel } from '../test/runtime-as/wasm-harness.js';

const { values } = parseArgs({
  options: {
    units: { type: 'string', default: '64' },
    inputs: { type: 'string', default: '784' },
    frames: { type: 'string', default: '200' },
  },
});
const units = Number(values.units);
const inputSize = Number(values.inputs);
const frameCount = Number(values.frames);

interface Timing {
  /** Fastest block, microseconds per frame: the least disturbed by other processes. */
  best: number;
  median: number;
}

/**
 * Times `body` (which computes `framesPerCall` frames) in many short blocks after
 * a warm-up, for at least `minimumMs`, and returns microseconds per frame.
 */
function timePerFrame(framesPerCall: number, body: () => void, minimumMs = 2000): Timing {
  for (let k = 0; k < 5; k++) body();
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < minimumMs || samples.length < 5) {
    const blockStart = performance.now();
    body();
    samples.push(((performance.now() - blockStart) * 1000) / framesPerCall);
  }
  samples.sort((a, b) => a - b);
  return { best: samples[0], median: samples[Math.floor(samples.length / 2)] };
}

function formatTiming(timing: Timing): string {
  return `${timing.best.toFixed(2).padStart(8)} best ${timing.median.toFixed(2).padStart(8)} median`;
}

function flatten(frames: Int8Array[]): Int8Array {
  const flat = new Int8Array(frames.length * inputSize);
  frames.forEach((frame, t) => flat.set(frame, t * inputSize));
  return flat;
}

function measureModel(model: LoadedModel, frames: Int8Array[]): { step: Timing; run: Timing } {
  const flat = flatten(frames);
  const step = timePerFrame(frames.length, () => {
    model.reset();
    for (const frame of frames) model.step(frame);
  });
  const run = timePerFrame(frames.length, () => model.run(flat));
  if (model.framesComputed !== frames.length) throw new Error(`only ${model.framesComputed} of ${frames.length} frames were computed`);
  return { step, run };
}

async function main(): Promise<void> {
  const qmodel = randomQModel({ seed: 1, inputSize, lstmUnits: [units], classes: 10, threshold: 0.95 });
  qmodel.spikeBound = 65535;
  const random = new Random(2);
  const workloads = [
    { name: 'dense random', frames: randomFrames(random, frameCount, inputSize, 1) },
    { name: 'sparse binary 3%', frames: randomFrames(random, frameCount, inputSize, 0.03).map((f) => f.map((v) => (v === 0 ? 0 : 1))) },
  ];
  const lines: string[] = [`model ${inputSize} inputs, LSTM ${units} units, 10 classes; blocks of ${frameCount} frames`];

  // The first compile in a process also loads and warms up the AssemblyScript compiler.
  const coldStart = performance.now();
  await emitModel(randomQModel({ seed: 3, inputSize: 4, lstmUnits: [2], classes: 2, threshold: 0.9 }), true);
  lines.push(`first compile in the process (a tiny model): ${(performance.now() - coldStart).toFixed(0)} ms`);

  for (const simd of [false, true]) {
    const build = simd ? 'SIMD' : 'scalar';
    const start = performance.now();
    const emitted = await emitModel(qmodel, simd);
    const emitMs = performance.now() - start;
    lines.push(`${build}: emit and compile ${emitMs.toFixed(0)} ms, model.wasm ${emitted.wasm.length} bytes`);
    for (const workload of workloads) {
      const timing = measureModel(emitted.create(), workload.frames);
      lines.push(`  ${workload.name.padEnd(18)} step() ${formatTiming(timing.step)}   run() ${formatTiming(timing.run)}  (us/frame)`);
    }
  }

  const reference = new ReferenceSimulator(qmodel);
  const referenceFrames = workloads[0].frames.slice(0, 50);
  const referenceTiming = timePerFrame(referenceFrames.length, () => reference.run(referenceFrames));
  lines.push(`reference simulator (TypeScript, dense random): ${formatTiming(referenceTiming)} (us/frame)`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main()
  .catch((error: unknown) => {
    process.exitCode = 1;
    throw error;
  })
  .finally(removeTemporaryFolders);
