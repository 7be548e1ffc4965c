/**
 * The TensorFlow.js side of the WebAssembly comparison: float streaming
 * inference with a stateful tfjs-layers LSTM and a Dense softmax head on the
 * wasm backend. Each frame is one predict() call and one dataSync(), as in an
 * application that reads the class probabilities after every frame.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';

/** One stream of frames through a stateful LSTM model of batch size 1. */
export interface TfjsStream {
  /** Zeroes the LSTM state for a new sequence. */
  reset(): void;
  /** Runs one frame of float inputs and returns the class probabilities. */
  step(frame: Float32Array): Float32Array;
  dispose(): void;
}

/** Selects the wasm backend and returns a description of it: versions, SIMD and threads. */
export async function startTfjsWasm(): Promise<string> {
  const ready = await tf.setBackend('wasm');
  await tf.ready();
  if (!ready || tf.getBackend() !== 'wasm') throw new Error(`the TensorFlow.js wasm backend failed to start; the backend is ${tf.getBackend()}`);
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD';
  return `tfjs-core ${tf.version_core}, tfjs-layers ${tfl.version_layers}, tfjs-backend-wasm ${version_wasm}: ${simd}, ${getThreadsCount()} thread(s)`;
}

/**
 * Builds LSTM(units, stateful, batchInputShape [1, 1, inputSize], sigmoid
 * gates) + Dense(classes, softmax) with seeded Glorot-uniform weights. The
 * recurrent kernel is Glorot-uniform too, because the default orthogonal
 * initializer of tfjs-layers 4.22 warns and is slow above 2000 elements. The
 * weight values do not change the work per frame.
 */
export function createTfjsStream(inputSize: number, units: number, classes: number, seed: number): TfjsStream {
  const model = tfl.sequential();
  model.add(
    tfl.layers.lstm({
      units,
      stateful: true,
      batchInputShape: [1, 1, inputSize],
      recurrentActivation: 'sigmoid',
      kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      recurrentInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
    }),
  );
  model.add(tfl.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 2 }) }));

  return {
    reset: () => model.resetStates(),
    step: (frame) =>
      tf.tidy(() => {
        const input = tf.tensor3d(frame, [1, 1, inputSize]);
        return (model.predict(input) as tf.Tensor).dataSync() as Float32Array;
      }),
    dispose: () => model.dispose(),
  };
}

/**
 * Runs `frameCount` frames through the stream before the timed rounds, cycling
 * through `frames`, and returns the mean microseconds per frame of each chunk of
 * `chunkFrames`. The time per frame of tfjs takes thousands of frames to
 * settle, and the chunks show that curve.
 */
export function warmUpTfjs(stream: TfjsStream, frames: readonly Float32Array[], frameCount: number, chunkFrames: number): number[] {
  const chunkMeans: number[] = [];
  stream.reset();
  for (let done = 0; done < frameCount; done += chunkFrames) {
    const start = performance.now();
    for (let k = 0; k < chunkFrames; k++) stream.step(frames[(done + k) % frames.length]);
    chunkMeans.push(((performance.now() - start) * 1000) / chunkFrames);
  }
  return chunkMeans;
}

