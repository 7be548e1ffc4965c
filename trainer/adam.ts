import * as tf from '@tensorflow/tfjs-core';
import { assert } from '../common/errors.js';

/** The whole state of an Adam optimizer, for checkpoints. */
export interface AdamState {
  /** Updates applied so far. */
  iterations: number;
  /** beta1^iterations and beta2^iterations, as the float32 running products that the update uses. */
  accumulatedBeta1: number;
  accumulatedBeta2: number;
  /** First and second moment of each variable, in the order of the variables; empty before the first update. */
  firstMoments: Float32Array[];
  secondMoments: Float32Array[];
}

/**
 * Adam with a state that can be saved and restored exactly.
 *
 * The update is the one of tf.train.adam in TensorFlow.js 4.22, op for op, so both
 * give bit-identical weights (test/trainer/adam.test.ts checks this). tf.train.adam
 * cannot resume exactly: its setWeights recomputes beta^t with pow, which rounds
 * differently from the running float32 product that its update uses. Here the
 * running products are kept on the CPU with Math.fround, which rounds each product
 * as float32 multiplication does, and saved as they are.
 */
export class AdamOptimizer {
  private firstMoments: tf.Variable[] = [];
  private secondMoments: tf.Variable[] = [];
  private accumulatedBeta1: number;
  private accumulatedBeta2: number;
  private iterations = 0;
  readonly epsilon: number;

  constructor(
    public learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
  ) {
    this.accumulatedBeta1 = Math.fround(beta1);
    this.accumulatedBeta2 = Math.fround(beta2);
    this.epsilon = tf.backend().epsilon();
  }

  /** Updates each variable with its gradient; `gradients[i]` belongs to `variables[i]`, and the order must stay the same across calls. */
  applyGradients(variables: tf.Variable[], gradients: tf.Tensor[]): void {
    assert(variables.length === gradients.length, () => `${gradients.length} gradients for ${variables.length} variables`);
    if (this.firstMoments.length === 0) {
      this.firstMoments = variables.map((variable) => tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
      this.secondMoments = variables.map((variable) => tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
    }
    assert(this.firstMoments.length === variables.length, 'the optimizer state belongs to another list of variables');
    tf.tidy(() => {
      const oneMinusAccumulatedBeta1 = tf.scalar(Math.fround(1 - this.accumulatedBeta1));
      const oneMinusAccumulatedBeta2 = tf.scalar(Math.fround(1 - this.accumulatedBeta2));
      variables.forEach((variable, i) => {
        const gradient = gradients[i];
        const firstMoment = this.firstMoments[i];
        const secondMoment = this.secondMoments[i];
        const newFirstMoment = tf.add(tf.mul(firstMoment, this.beta1), tf.mul(gradient, 1 - this.beta1));
        const newSecondMoment = tf.add(tf.mul(secondMoment, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
        const correctedFirstMoment = tf.div(newFirstMoment, oneMinusAccumulatedBeta1);
        const correctedSecondMoment = tf.div(newSecondMoment, oneMinusAccumulatedBeta2);
        firstMoment.assign(newFirstMoment);
        secondMoment.assign(newSecondMoment);
        const step = tf.mul(tf.div(correctedFirstMoment, tf.add(tf.sqrt(correctedSecondMoment), this.epsilon)), -this.learningRate);
        variable.assign(tf.add(step, variable));
      });
    });
    this.accumulatedBeta1 = Math.fround(this.accumulatedBeta1 * Math.fround(this.beta1));
    this.accumulatedBeta2 = Math.fround(this.accumulatedBeta2 * Math.fround(this.beta2));
    this.iterations++;
  }

  getState(): AdamState {
    return {
      iterations: this.iterations,
      accumulatedBeta1: this.accumulatedBeta1,
      accumulatedBeta2: this.accumulatedBeta2,
      firstMoments: this.firstMoments.map((moment) => moment.dataSync() as Float32Array),
      secondMoments: this.secondMoments.map((moment) => moment.dataSync() as Float32Array),
    };
  }

  /** Restores a state that getState returned; `variables` give the moments their shapes. */
  setState(state: AdamState, variables: tf.Variable[]): void {
    assert(state.firstMoments.length === state.secondMoments.length, 'the saved moments do not pair up');
    assert(state.firstMoments.length === 0 || state.firstMoments.length === variables.length, 'the saved moments belong to another list of variables');
    this.disposeMoments();
    this.iterations = state.iterations;
    this.accumulatedBeta1 = state.accumulatedBeta1;
    this.accumulatedBeta2 = state.accumulatedBeta2;
    const restore = (values: Float32Array, i: number) => tf.tidy(() => tf.variable(tf.tensor(values, variables[i].shape), false));
    this.firstMoments = state.firstMoments.map(restore);
    this.secondMoments = state.secondMoments.map(restore);
  }

  dispose(): void {
    this.disposeMoments();
  }

  private disposeMoments(): void {
    tf.dispose([...this.firstMoments, ...this.secondMoments]);
    this.firstMoments = [];
    this.secondMoments = [];
  }
}
