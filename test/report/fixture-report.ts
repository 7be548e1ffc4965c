/** The report of the committed fixture runs and evaluations, which the report tests render. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readEval, readRun, type EvalInput, type RunInput } from '../../report/inputs.js';
import { renderReport } from '../../report/page.js';

/** test/report/fixtures in the source tree; this module runs from dist/test/report. */
export const FIXTURES = fileURLToPath(new URL('../../../test/report/fixtures/', import.meta.url));

export const FIXTURE_RUNS = ['rc-lstm32', 'eos-lstm32'];
export const FIXTURE_EVALS = ['rc-lstm32', 'eos-lstm32', 'rc-lstm32-wasm'];
export const FIXTURE_EXAMPLES = 3;

export function readFixtures(): { runs: RunInput[]; evals: EvalInput[] } {
  return {
    runs: FIXTURE_RUNS.map((name) => readRun(join(FIXTURES, 'training', name))),
    evals: FIXTURE_EVALS.map((name) => readEval(join(FIXTURES, 'evals', `${name}.json`))),
  };
}

export function renderFixtureReport(): string {
  return renderReport({ title: 'rankcode report: test fixture', ...readFixtures(), examplesPerEval: FIXTURE_EXAMPLES });
}
