import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DOMParser, onWarningStopParsing, type Document, type Element } from '@xmldom/xmldom';
import { readEval, readRun } from '../../report/inputs.js';
import { renderReport } from '../../report/page.js';
import type { FloatEvalResult } from '../../trainer/eval-types.js';
import { FIXTURE_EXAMPLES, FIXTURES, readFixtures, renderFixtureReport } from './fixture-report.js';

const dir = mkdtempSync(join(tmpdir(), 'rankcode-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Parses the page as XHTML; any parser warning fails, so the markup must be well-formed. */
function parsePage(html: string): Document {
  return new DOMParser({ onError: onWarningStopParsing }).parseFromString(html, 'application/xhtml+xml');
}

function elements(root: Document | Element, tag: string, className?: string): Element[] {
  const found = Array.from(root.getElementsByTagName(tag));
  return className === undefined ? found : found.filter((element) => (element.getAttribute('class') ?? '').split(' ').includes(className));
}

function chart(document: Document, id: string): Element {
  const matches = elements(document, 'svg').filter((svg) => svg.getAttribute('data-chart') === id);
  assert.equal(matches.length, 1, `chart ${id}`);
  return matches[0];
}

/** Returns each series of a chart as [name, number of points or bars]. */
function seriesOf(svg: Element): [string, number][] {
  return elements(svg, 'g', 'series').map((group) => [group.getAttribute('data-series') ?? '', elements(group, 'circle', 'point').length + elements(group, 'rect', 'bar').length]);
}

test('training charts have one series per run and split', () => {
  const { runs } = readFixtures();
  const document = parsePage(renderFixtureReport());
  for (const [id, field] of [
    ['training-accuracy', 'accuracyAtSpike'],
    ['training-spike-step', 'meanSpikeStep'],
  ] as const) {
    const expected: [string, number][] = [];
    for (const run of runs) {
      const validation = run.epochs.filter((epoch) => typeof epoch.validation?.[field] === 'number').length;
      const training = run.epochs.filter((epoch) => typeof epoch.train?.[field] === 'number').length;
      if (validation > 0) expected.push([`${run.name} validation`, validation]);
      if (training > 0) expected.push([`${run.name} training`, training]);
    }
    assert.ok(expected.length >= 3, `the fixtures give ${id} only ${expected.length} series`);
    const svg = chart(document, id);
    assert.deepEqual(seriesOf(svg), expected, id);
    assert.equal(elements(svg, 'g', 'legend-entry').length, expected.length);
  }
});

test('trade-off chart has sweeps, step reads and compiled points', () => {
  const { evals } = readFixtures();
  const svg = chart(parsePage(renderFixtureReport()), 'trade-off');
  const expected: [string, number][] = evals.flatMap(({ name, result }): [string, number][] =>
    result.kind === 'float'
      ? [
          [`${name}: RC, theta sweep`, result.sweep.length],
          [`${name}: argmax at step k`, result.data.frames],
        ]
      : [[name, 1]],
  );
  assert.deepEqual(seriesOf(svg), expected);
  // Each evaluation marks the point of its own threshold with a larger circle.
  const large = elements(svg, 'circle', 'point').filter((circle) => circle.getAttribute('r') === '6');
  assert.equal(large.length, evals.length);
  const axisLabels = elements(svg, 'text', 'axis-label').map((label) => label.textContent);
  assert.deepEqual(axisLabels, ['mean spike step t_sp, or step k (steps)', 'accuracy (%)']);
});

test('histogram has a bar per step and no-spike', () => {
  const { evals } = readFixtures();
  const svg = chart(parsePage(renderFixtureReport()), 'spike-histogram');
  const frames = Math.max(...evals.map(({ result }) => result.data.frames));
  assert.deepEqual(
    seriesOf(svg),
    evals.map(({ name, result }) => [`${name} (theta ${result.summary.threshold})`, frames + 1]),
  );
});

test('rasters show inputs, spike and probabilities', () => {
  const { evals } = readFixtures();
  const rasters = elements(parsePage(renderFixtureReport()), 'svg', 'raster');
  const traces = evals.flatMap(({ result }) => result.examples.slice(0, FIXTURE_EXAMPLES).map((trace) => ({ trace, frames: result.data.frames })));
  assert.equal(rasters.length, traces.length);
  assert.equal(traces.length, evals.length * FIXTURE_EXAMPLES);
  rasters.forEach((raster, i) => {
    const { trace, frames } = traces[i];
    assert.equal(elements(raster, 'rect', 'cell').length, trace.inputs.length, `raster ${i} cells`);
    assert.equal(elements(raster, 'circle', 'point').length, trace.topProbability.length, `raster ${i} points`);
    assert.equal(elements(raster, 'g', 'spike-marker').length, 1, `raster ${i} spike marker`);
    assert.equal(elements(raster, 'g', 'not-computed').length, trace.topProbability.length < frames ? 1 : 0, `raster ${i} shading`);
  });
});

test('page is self-contained', () => {
  const html = renderFixtureReport();
  const document = parsePage(html);
  assert.equal(elements(document, 'script').length, 0);
  assert.equal(elements(document, 'link').length, 0);
  assert.equal(elements(document, 'img').length, 0);
  // The namespace declarations are the only URLs in the page.
  const urls = html.match(/[a-z]+:\/\/[^"'\s<]+/g) ?? [];
  assert.deepEqual([...new Set(urls)].sort(), ['http://www.w3.org/1999/xhtml', 'http://www.w3.org/2000/svg']);
  assert.doesNotMatch(html, /NaN|Infinity|undefined/);
  assert.equal(renderFixtureReport(), html, 'the same inputs give the same page');
});

test('strings from files are escaped', () => {
  const hostile = `<script>alert("x")</script> & 'q'`;
  const runFolder = join(dir, `run <b>&"x'`);
  mkdirSync(runFolder);
  writeFileSync(join(runFolder, 'metrics.jsonl'), `${JSON.stringify({ epoch: 1, validation: { accuracyAtSpike: 0.5, meanSpikeStep: 'NaN' } })}\n`);
  writeFileSync(join(runFolder, 'report.json'), JSON.stringify({ task: hostile, mode: '</td></tr></table>', settings: { units: [hostile] } }));

  const result = JSON.parse(readFileSync(join(FIXTURES, 'evals', 'rc-lstm32.json'), 'utf8')) as FloatEvalResult;
  result.model.name = `<img src=x onerror="alert(1)">`;
  result.model.labels = result.model.labels.map(() => hostile);
  result.data.task = 'a&b</text>';
  result.summary.meanSpikeStep = '1e999' as unknown as number;
  result.sweep[0].accuracyAtSpike = null as unknown as number;
  const evalPath = join(dir, 'hostile.json');
  writeFileSync(evalPath, JSON.stringify(result));

  const html = renderReport({ title: hostile, runs: [readRun(runFolder)], evals: [readEval(evalPath)], examplesPerEval: 1 });
  const document = parsePage(html);
  assert.equal(elements(document, 'script').length, 0);
  assert.equal(elements(document, 'img').length, 0);
  assert.doesNotMatch(html, /NaN|Infinity/);
  const texts = elements(document, 'td').map((cell) => cell.textContent);
  assert.ok(texts.includes(hostile), 'the task cell shows the text as written');
  assert.ok(texts.includes(`run <b>&"x'`), 'the run cell shows the folder name as written');
  const titles = elements(document, 'title').map((title) => title.textContent);
  assert.ok(titles.includes(hostile));
});
