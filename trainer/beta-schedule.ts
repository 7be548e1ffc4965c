import { UserError } from '../common/errors.js';
import { log } from '../common/log.js';

/** Largest entropy weight beta that the options accept. */
export const MAX_BETA = 10;

/**
 * One entry of a beta schedule: `beta` applies from the epoch with 0-based index
 * `epoch` until the next entry. Index k is the epoch that metrics.jsonl lists as
 * epoch k + 1, so "0:0.4,5:0.165" trains epochs 1 to 5 with beta 0.4 and the later
 * ones with 0.165.
 */
export interface BetaStep {
  epoch: number;
  beta: number;
}

/**
 * Parses a schedule written as comma-separated EPOCH:BETA pairs, such as
 * "0:0.4,5:0.165". Throws a UserError that names the invalid entry.
 */
export function parseBetaSchedule(text: string): BetaStep[] {
  const entries = text.split(',').map((entry) => entry.trim());
  return entries.map((entry) => {
    const match = /^(\d+)\s*:\s*([^:\s]+)$/.exec(entry);
    const beta = match === null ? Number.NaN : Number(match[2]);
    if (match === null || !Number.isFinite(beta)) {
      throw new UserError(`invalid beta schedule entry "${entry}" in "${text}": expected EPOCH:BETA pairs separated by commas, such as "0:0.4,5:0.165"`);
    }
    return { epoch: Number(match[1]), beta };
  });
}

/**
 * Validates a schedule, given as text or as entries, and returns its entries. The
 * first entry must start at epoch 0, the epochs must increase, and each beta must
 * be a number from 0 to MAX_BETA. An entry at or after `epochs` never takes effect,
 * which is logged as a warning because a resumed run with more epochs may reach it.
 */
export function resolveBetaSchedule(schedule: string | readonly BetaStep[], epochs: number): BetaStep[] {
  const steps = typeof schedule === 'string' ? parseBetaSchedule(schedule) : schedule.map((step) => ({ epoch: step.epoch, beta: step.beta }));
  const written = steps.map((step) => `${step.epoch}:${step.beta}`).join(',');
  if (steps.length === 0) throw new UserError('invalid beta schedule: it is empty; pass EPOCH:BETA pairs such as "0:0.4,5:0.165"');
  if (steps[0].epoch !== 0) {
    throw new UserError(`invalid beta schedule "${written}": the first entry must start at epoch 0, such as "0:0.4,${written}"`);
  }
  steps.forEach((step, i) => {
    if (!Number.isInteger(step.epoch) || step.epoch < 0) {
      throw new UserError(`invalid beta schedule "${written}": epoch ${step.epoch} is not a non-negative integer`);
    }
    if (i > 0 && step.epoch <= steps[i - 1].epoch) {
      throw new UserError(`invalid beta schedule "${written}": epoch ${step.epoch} does not come after epoch ${steps[i - 1].epoch}; list the epochs in increasing order`);
    }
    if (!Number.isFinite(step.beta) || step.beta < 0 || step.beta > MAX_BETA) {
      throw new UserError(`invalid beta ${step.beta}${steps.length > 1 ? ` at epoch ${step.epoch} of the schedule "${written}"` : ''}: expected a number from 0 to ${MAX_BETA}, such as 0.165`);
    }
  });
  const unused = steps.filter((step) => step.epoch >= epochs);
  if (unused.length > 0) {
    log.warn(`beta schedule entries ${unused.map((step) => `${step.epoch}:${step.beta}`).join(', ')} start at or after epoch index ${epochs} and take no effect in ${epochs} epochs`);
  }
  return steps;
}

/** Returns the beta of the epoch with 0-based index `epochIndex`. */
export function betaForEpoch(schedule: readonly BetaStep[], epochIndex: number): number {
  let beta = schedule[0].beta;
  for (const step of schedule) {
    if (step.epoch <= epochIndex) beta = step.beta;
  }
  return beta;
}
