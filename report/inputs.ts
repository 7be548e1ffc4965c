/**
 * Reads what rc-report plots: training runs (metrics.jsonl and report.json of an
 * rc-train output folder) and rc-eval result files. Text from these files reaches
 * the page only through escapeXml; numbers are checked where they are drawn.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../common/errors.js';
import { EVAL_FORMAT, EVAL_VERSION, type EvalResult } from '../trainer/eval-types.js';

/** The fields of one metrics.jsonl line that the report reads; rc-train writes more. */
export interface EpochPoint {
  epoch: number;
  loss?: number;
  train?: { accuracyAtSpike?: number; meanSpikeStep?: number };
  validation?: { accuracyAtSpike?: number; meanSpikeStep?: number; noSpikeRate?: number };
}

export interface RunInput {
  /** The folder's name, the run's name in legends and tables. */
  name: string;
  folder: string;
  epochs: EpochPoint[];
  /** report.json of the run, when the run finished. */
  report?: Record<string, unknown>;
}

export interface EvalInput {
  /** A name for legends: the model's folder, with "(compiled)" for a compiled folder. */
  name: string;
  path: string;
  result: EvalResult;
}

/** Reads an rc-train output folder; throws a UserError when it has no readable metrics.jsonl. */
export function readRun(folder: string): RunInput {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new UserError(`run folder not found: ${folder}; pass the --out folder of rc-train`);
  }
  const metricsPath = join(folder, 'metrics.jsonl');
  if (!existsSync(metricsPath)) throw new UserError(`${folder} has no metrics.jsonl; pass the --out folder of rc-train`);
  const epochs: EpochPoint[] = [];
  readFileSync(metricsPath, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new UserError(`${metricsPath}:${index + 1}: invalid JSON (${(error as Error).message}); rc-train writes one JSON object per line`);
      }
      if (!isObject(value) || typeof value.epoch !== 'number') {
        throw new UserError(`${metricsPath}:${index + 1}: expected an object with a numeric "epoch", as rc-train writes`);
      }
      epochs.push(value as unknown as EpochPoint);
    });
  const reportPath = join(folder, 'report.json');
  let report: Record<string, unknown> | undefined;
  if (existsSync(reportPath)) {
    const value = readJson(reportPath);
    if (!isObject(value)) throw new UserError(`${reportPath}: expected a JSON object, as rc-train writes`);
    report = value;
  }
  return { name: basename(resolve(folder)), folder, epochs, report };
}

/** Reads an rc-eval result file; throws a UserError when it is not one. */
export function readEval(path: string): EvalInput {
  const value = readJson(path);
  if (!isObject(value) || value.format !== EVAL_FORMAT) {
    throw new UserError(`${path} is not an rc-eval result (format "${EVAL_FORMAT}"); write one with rc-eval --out FILE`);
  }
  if (value.version !== EVAL_VERSION) {
    throw new UserError(`${path} has rc-eval format version ${JSON.stringify(value.version)}; this rc-report reads version ${EVAL_VERSION}, so evaluate the model again`);
  }
  if (value.kind !== 'float' && value.kind !== 'compiled') {
    throw new UserError(`${path} has kind ${JSON.stringify(value.kind)}; expected "float" or "compiled"`);
  }
  const result = value as unknown as EvalResult;
  checkEvalShape(result, path);
  const name = result.kind === 'float' ? String(result.model.name) : `${basename(String(result.model.folder))} (compiled)`;
  return { name, path, result };
}

/** Gives names that repeat a suffix " (2)", " (3)", ... so legends stay distinct. */
export function uniqueNames<T extends { name: string }>(items: T[]): T[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const count = (seen.get(item.name) ?? 0) + 1;
    seen.set(item.name, count);
    return count === 1 ? item : { ...item, name: `${item.name} (${count})` };
  });
}

function checkEvalShape(result: EvalResult, path: string): void {
  const problems: string[] = [];
  if (!isObject(result.model)) problems.push('"model" is not an object');
  if (!isObject(result.data)) problems.push('"data" is not an object');
  if (!isObject(result.summary)) problems.push('"summary" is not an object');
  if (!Array.isArray(result.examples)) problems.push('"examples" is not a list');
  if (result.kind === 'float' && (!Array.isArray(result.sweep) || !Array.isArray(result.accuracyByStep))) {
    problems.push('"sweep" or "accuracyByStep" is not a list');
  }
  if (problems.length > 0) throw new UserError(`${path} is not a valid rc-eval result: ${problems.join(', ')}; write it again with rc-eval --out FILE`);
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`failed to read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path}: invalid JSON (${(error as Error).message})`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
