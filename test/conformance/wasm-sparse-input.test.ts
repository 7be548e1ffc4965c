/**
 * WebAssembly conformance of the zero-skipping input projection: a first LSTM
 * layer of int8 weights takes the sparse path on frames with few nonzero inputs
 * and the dense path on the others (projectFrameI8 in runtime-as/dot.ts). Models
 * of 784 and 100 inputs, built for SIMD and scalar, run sequences that mix
 * empty, temporal-MNIST-like (binary, 1-9 % nonzero), 20-40 % and dense frames,
 * and the logits of every frame must equal the reference simulator bit for bit.
 */
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { setLogLevel } from '../../common/log.js';
import { ReferenceSimulator } from '../../compiler/simulator.js';
import { Random, randomQModel } from '../runtime-as/random-qmodel.js';
import { emitModel, removeTemporaryFolders } from '../runtime-as/wasm-harness.js';

setLogLevel('warn');

/** A spike bound that no frame reaches: the exp sum in Q0.16 includes exp(0) = 65536 for the top class. */
const NO_SPIKE_BOUND = 65535;
after(removeTemporaryFolders);

/** Shares of nonzero inputs per frame, on both sides of the zero-skipping thresholds (1/5 SIMD, 1/3 scalar). */
const SHARES = [0, 0.01, 0.05, 0.09, 0.15, 0.2, 0.25, 0.35, 0.5, 1];

/** Returns frames of every share in SHARES, in random order; binary frames use 127, as quantized MNIST pixels do. */
function mixedFrames(random: Random, inputSize: number, count: number): Int8Array[] {
  const frames: Int8Array[] = [];
  for (let t = 0; t < count; t++) {
    const share = SHARES[random.integer(0, SHARES.length - 1)];
    const binary = random.next() < 0.5;
    const frame = new Int8Array(inputSize);
    for (let j = 0; j < inputSize; j++) {
      if (random.next() < share) frame[j] = binary ? 127 : random.integer(-128, 127);
    }
    frames.push(frame);
  }
  return frames;
}

for (const { inputSize, units, seed } of [
  { inputSize: 784, units: 64, seed: 61 },
  { inputSize: 100, units: 9, seed: 62 },
]) {
  describe(`wasm sparse input ${inputSize} x ${units}`, () => {
    const model = { ...randomQModel({ seed, inputSize, lstmUnits: [units], classes: 10, threshold: 0.95 }), spikeBound: NO_SPIKE_BOUND };
    const frames = mixedFrames(new Random(seed + 1), inputSize, 60);

    for (const simd of [true, false]) {
      it(`${simd ? 'SIMD' : 'scalar'} build matches the reference on every frame`, async () => {
        const wasm = (await emitModel(model, simd)).create();
        const reference = new ReferenceSimulator(model);
        reference.reset();
        wasm.reset();
        for (const [t, frame] of frames.entries()) {
          reference.step(frame);
          wasm.step(frame);
          const nonzero = frame.filter((value) => value !== 0).length;
          assert.deepEqual(Array.from(wasm.logits), Array.from(reference.logits), `logits of frame ${t + 1} (${nonzero} nonzero)`);
        }
        assert.equal(wasm.framesComputed, frames.length, 'every frame computed');
      });
    }
  });
}
