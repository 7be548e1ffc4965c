import { UserError } from '../common/errors.js';
import { log } from '../common/log.js';
import type { Checkpoint } from './checkpoint.js';
import { flattenWeights, sameShape, type RcModelShape, type RcModelWeights } from './model.js';
import { flagName, type TrainOptions } from './options.js';

/**
 * Options that may differ between a run and the run that resumes it. Every other
 * option changes the data, the model or the training, so it must match.
 */
export const RESUMABLE_CHANGES: readonly (keyof TrainOptions)[] = ['epochs', 'learningRate', 'lrDecay', 'clipNorm', 'backend', 'outDir', 'resume', 'force', 'progress'];

/**
 * Throws a UserError unless `checkpoint` can continue a run with `options` and a
 * model of `shape`: the same data, model and training options, except those in
 * RESUMABLE_CHANGES, and no more completed epochs than `options.epochs`. Logs a
 * warning for each change that keeps the result from equalling an uninterrupted
 * run: another learning rate, clip norm or backend.
 */
export function checkResumable(checkpoint: Checkpoint, options: TrainOptions, shape: RcModelShape, backend: string, path: string): void {
  const fix = 'pass the options of the original run; only --epochs, --lr, --lr-decay, --clip-norm and --backend may change';
  for (const key of Object.keys({ ...checkpoint.options, ...options }) as (keyof TrainOptions)[]) {
    // The output layer is compared as resolved, in the model shape below, because an unset --output means the task's default.
    if (RESUMABLE_CHANGES.includes(key) || key === 'output') continue;
    const saved = JSON.stringify(checkpoint.options[key]);
    const requested = JSON.stringify(options[key]);
    if (saved !== requested) {
      throw new UserError(`cannot resume from ${path}: it was trained with ${flagName(key)} ${saved ?? 'unset'}, but this run sets ${requested ?? 'unset'}; ${fix}`);
    }
  }
  if (!sameShape(checkpoint.weights, shape)) {
    throw new UserError(`cannot resume from ${path}: its model has another shape than the data gives (${describeShape(checkpoint.weights)} against ${describeShape(shape)}); ${fix}`);
  }
  if (checkpoint.epoch > options.epochs) {
    throw new UserError(`cannot resume from ${path}: it has ${checkpoint.epoch} completed epochs, more than the ${options.epochs} requested; pass --epochs ${checkpoint.epoch} or more`);
  }
  // Checkpoints written before --lr-decay existed trained without decay, which is a factor of 1.
  const saved = { ...checkpoint.options, lrDecay: checkpoint.options.lrDecay ?? 1 };
  for (const key of ['learningRate', 'lrDecay', 'clipNorm'] as const) {
    if (saved[key] !== options[key]) {
      log.warn(`resuming with ${flagName(key)} ${options[key] ?? 'unset'} instead of ${saved[key] ?? 'unset'}: the result will differ from an uninterrupted run`);
    }
  }
  if (saved.learningRate !== options.learningRate || saved.lrDecay !== options.lrDecay) {
    const nextEpoch = checkpoint.epoch + 1;
    log.warn(
      `epoch ${nextEpoch} trains at learning rate ${(options.learningRate * options.lrDecay ** checkpoint.epoch).toPrecision(3)} (--lr x --lr-decay^${checkpoint.epoch}); ` +
        'the rates of the earlier epochs are in metrics.jsonl',
    );
  }
  if (checkpoint.backend !== backend) {
    log.warn(`resuming on the ${backend} backend a run that trained on ${checkpoint.backend}: backends round differently, so the weights will differ slightly from an uninterrupted run`);
  }
}

function describeShape(shape: RcModelShape): string {
  return `input ${shape.inputSize}, LSTM ${shape.lstmUnits.join(',')}, head ${shape.denseUnits.join(',') || 'none'}, ${shape.classes} classes, ${shape.output} output`;
}

/** Returns true when every weight is a finite number. */
export function weightsAreFinite(weights: RcModelWeights): boolean {
  return flattenWeights(weights).every((array) => array.every(Number.isFinite));
}
