/** Parsers of rc-eval's flag values; each raises commander's InvalidArgumentError with the expected form. */
import { InvalidArgumentError } from 'commander';

export function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('Expected a positive integer, such as 100.');
  return Number(value);
}

export function parseNonNegative(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('Expected a non-negative integer, such as 4.');
  return Number(value);
}

export function parseProbability(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !(parsed > 0 && parsed <= 1)) throw new InvalidArgumentError(`Expected a threshold in (0, 1], such as 0.95; got "${value}".`);
  return parsed;
}

export function parseRate(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !(parsed >= 0 && parsed <= 1)) throw new InvalidArgumentError('Expected a probability from 0 to 1, such as 0.5.');
  return parsed;
}

export function parseShare(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !(parsed >= 0 && parsed < 1)) throw new InvalidArgumentError('Expected a fraction from 0 to below 1, such as 0.1.');
  return parsed;
}

/**
 * Parses a list of thresholds: comma-separated values ("0.5,0.9,0.95"), a range
 * "start:stop:step" with both ends included, or a mix of both.
 */
export function parseThetaList(value: string): number[] {
  const thetas: number[] = [];
  for (const part of value.split(',').map((text) => text.trim())) {
    const range = part.split(':');
    if (range.length === 1) {
      thetas.push(parseProbability(part));
      continue;
    }
    const [start, stop, step] = range.map(Number);
    if (range.length !== 3 || !(step > 0) || !(start <= stop) || !(start > 0 && stop <= 1)) {
      throw new InvalidArgumentError(`Expected a range start:stop:step with 0 < start <= stop <= 1 and step > 0, such as 0.5:0.95:0.05; got "${part}".`);
    }
    // Counting steps with a tolerance keeps the stop value despite rounding of the step.
    const count = Math.floor((stop - start) / step + 1e-9);
    for (let i = 0; i <= count; i++) thetas.push(Number((start + i * step).toFixed(10)));
  }
  return [...new Set(thetas)].sort((a, b) => a - b);
}

export function parseSteps(value: string): number[] {
  return value.split(',').map((part) => parseCount(part.trim()));
}
