/**
 * Assembles the self-contained HTML page of rc-report: inline CSS and inline SVG
 * only, with no script and no external resource. The markup is also well-formed
 * XML (void elements closed, every attribute quoted), so the tests parse it as
 * XHTML. The page carries no timestamp, so the same inputs give the same bytes.
 */
import type { EvalResult } from '../trainer/eval-types.js';
import { finite, histogramChart, tradeOffChart, trainingCharts } from './charts.js';
import type { EvalInput, RunInput } from './inputs.js';
import { rasterChart } from './raster.js';
import { escapeXml } from './svg.js';

export interface ReportInput {
  title: string;
  runs: RunInput[];
  evals: EvalInput[];
  /** Example sequences drawn per evaluation, at most the number stored in its file. */
  examplesPerEval: number;
}

const STYLE = `
body { font-family: DejaVu Sans, Liberation Sans, Arial, sans-serif; margin: 16px 20px; color: #1a1a1a; background: #fafafa; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 18px 0 6px; border-bottom: 1px solid #cccccc; }
h3 { font-size: 14px; margin: 10px 0 4px; }
p.note { font-size: 12px; color: #555555; margin: 2px 0 6px; }
table { border-collapse: collapse; font-size: 12px; background: #ffffff; }
th, td { border: 1px solid #d0d0d0; padding: 3px 7px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f0f0f0; }
.grid { display: flex; flex-wrap: wrap; gap: 10px; }
svg { background: #ffffff; border: 1px solid #e0e0e0; }
`;

function percent(value: unknown): string {
  const share = finite(value);
  return Number.isFinite(share) ? `${(share * 100).toFixed(2)} %` : '–';
}

function fixed(value: unknown, digits: number): string {
  const number = finite(value);
  return Number.isFinite(number) ? number.toFixed(digits) : '–';
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '–';
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}

/** Renders a table; every cell is escaped text. */
function table(className: string, header: string[], rows: string[][]): string {
  const head = `<tr>${header.map((cell) => `<th>${escapeXml(cell)}</th>`).join('')}</tr>`;
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeXml(cell)}</td>`).join('')}</tr>`).join('');
  return `<table class="${className}"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

function runTable(runs: RunInput[]): string {
  const rows = runs.map((run) => {
    const report = run.report ?? {};
    const settings = (report.settings ?? {}) as Record<string, unknown>;
    const test = (report.test ?? {}) as Record<string, unknown>;
    return [
      run.name,
      text(report.task ?? settings.task),
      text(report.mode ?? settings.mode),
      text(settings.units),
      text(settings.beta),
      String(run.epochs.length),
      percent(test.accuracyAtSpike),
      fixed(test.meanSpikeStep, 2),
      percent(test.noSpikeRate),
      percent(test.accuracyAtLastFrame),
      Number.isFinite(finite(report.wallSeconds)) ? `${fixed(report.wallSeconds, 0)} s` : '–',
    ];
  });
  const header = ['run', 'task', 'mode', 'LSTM units', 'beta', 'epochs', 'test accuracy at spike', 'test mean t_sp', 'no spike', 'accuracy at step T', 'wall time'];
  return table('runs', header, rows);
}

function evalTable(evals: EvalInput[]): string {
  const rows = evals.map(({ name, result }) => {
    const summary = result.summary;
    const data = result.data;
    const last = result.kind === 'float' ? percent(result.accuracyAtLastFrame) : '–';
    const reference = result.kind === 'compiled' && result.reference !== undefined ? `${text(result.reference.matches)} of ${text(data.examples)}` : '–';
    return [
      name,
      result.kind === 'float' ? `float (${text(result.engine?.name)})` : 'compiled wasm',
      `${text(data.task)} ${text(data.split)}, ${text(data.examples)} x ${text(data.frames)} frames`,
      text(summary.threshold),
      percent(summary.accuracyAtSpike),
      fixed(summary.meanSpikeStep, 2),
      text(summary.medianSpikeStep),
      percent(summary.noSpikeRate),
      percent(summary.framesSkippedShare),
      last,
      reference,
    ];
  });
  const header = ['evaluation', 'model', 'data', 'theta', 'accuracy at spike', 'mean t_sp', 'median t_sp', 'no spike', 'frames never computed', 'accuracy at step T', 'equal to reference'];
  return table('evals', header, rows);
}

function labelsOf(result: EvalResult): string[] {
  return Array.isArray(result.model.labels) ? result.model.labels.map(String) : [];
}

function examplesSection(evals: EvalInput[], perEval: number): string {
  const blocks = evals.map(({ name, result }, e) => {
    const traces = result.examples.slice(0, perEval);
    if (traces.length === 0) return '';
    const charts = traces.map((trace, i) =>
      rasterChart(trace, { id: `raster-${e}-${i}`, labels: labelsOf(result), frames: finite(result.data.frames), threshold: finite(result.summary.threshold) }),
    );
    return `<h3>${escapeXml(name)}</h3><div class="grid">${charts.join('')}</div>`;
  });
  if (blocks.every((block) => block === '')) return '';
  return (
    '<h2>Example sequences</h2>' +
    '<p class="note">Each raster shows the input frames (columns are steps, rows are input values, dark cells nonzero), the spike step ' +
    'in orange, and the top class probability after each step, labelled with its class, against theta (dotted).</p>' +
    blocks.join('')
  );
}

export function renderReport(input: ReportInput): string {
  const { runs, evals } = input;
  const body: string[] = [
    `<h1>${escapeXml(input.title)}</h1>`,
    `<p class="note">${escapeXml(`rc-report of ${runs.length} training run(s) and ${evals.length} evaluation(s).`)}</p>`,
  ];
  if (runs.length > 0) {
    body.push('<h2>Training runs</h2>', runTable(runs));
    body.push(
      '<p class="note">Solid lines: validation split after each epoch. Dashed lines: training batches, measured before each batch\'s update.</p>',
      `<div class="grid">${trainingCharts(runs).join('')}</div>`,
    );
  }
  if (evals.length > 0) {
    body.push('<h2>Evaluations</h2>', evalTable(evals));
    body.push(
      '<p class="note">Trade-off: each theta of the sweep gives one point; the large ring is the model\'s own theta. Dashed: accuracy of the ' +
        'argmax read at a fixed step k for every example (the EOS prediction cut at k).</p>',
      `<div class="grid">${tradeOffChart(evals)}${histogramChart(evals)}</div>`,
    );
    body.push(examplesSection(evals, input.examplesPerEval));
  }
  return (
    '<!DOCTYPE html>\n' +
    '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">\n' +
    `<head><meta charset="utf-8"/><title>${escapeXml(input.title)}</title><style>${STYLE}</style></head>\n` +
    `<body>\n${body.join('\n')}\n</body>\n</html>\n`
  );
}
