/** The charts of rc-report: training curves, the speed-accuracy trade-off and the t_sp histogram. */
import type { EvalInput, RunInput } from './inputs.js';
import { barChart, lineChart, PALETTE, type LineSeries } from './svg.js';

/** Width and height of a chart in the page's two-column grid, in pixels. */
export const CHART_SIZE = { width: 560, height: 340 };

const TRAINING_DASH = '7 4';
const STEP_READ_DASH = '3 3';

/** Returns the value when it is a finite number, else NaN, which the charts skip. */
export function finite(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
}

function percentFormat(value: number): string {
  return `${Number(value.toFixed(1))}`;
}

export function colorOf(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/**
 * Returns the two training charts: accuracy at spike and mean t_sp over epochs,
 * each run with its validation figures (solid) and the figures of its training
 * batches (dashed), which rc-train takes before each batch's update.
 */
export function trainingCharts(runs: RunInput[]): string[] {
  const accuracy: LineSeries[] = [];
  const spikeStep: LineSeries[] = [];
  runs.forEach((run, i) => {
    const color = colorOf(i);
    const series = (pick: (epoch: RunInput['epochs'][number]) => unknown, scale: number) =>
      run.epochs.map((epoch) => ({ x: finite(epoch.epoch), y: finite(pick(epoch)) * scale })).filter((p) => Number.isFinite(p.y));
    const add = (target: LineSeries[], name: string, points: { x: number; y: number }[], dash?: string) => {
      if (points.length > 0) target.push({ name: `${run.name} ${name}`, color, dash, points });
    };
    add(accuracy, 'validation', series((epoch) => epoch.validation?.accuracyAtSpike, 100));
    add(accuracy, 'training', series((epoch) => epoch.train?.accuracyAtSpike, 100), TRAINING_DASH);
    add(spikeStep, 'validation', series((epoch) => epoch.validation?.meanSpikeStep, 1));
    add(spikeStep, 'training', series((epoch) => epoch.train?.meanSpikeStep, 1), TRAINING_DASH);
  });
  return [
    lineChart({
      id: 'training-accuracy',
      title: 'Accuracy at spike over training',
      ...CHART_SIZE,
      x: { label: 'epoch', integer: true },
      y: { label: 'accuracy at spike (%)', format: percentFormat },
      series: accuracy,
    }),
    lineChart({
      id: 'training-spike-step',
      title: 'Mean spike step over training',
      ...CHART_SIZE,
      x: { label: 'epoch', integer: true },
      y: { label: 'mean t_sp (steps)', min: 0 },
      series: spikeStep,
    }),
  ];
}

/**
 * Returns the trade-off chart, accuracy against mean t_sp. A float evaluation
 * gives its theta sweep (its own threshold drawn larger) and, dashed, the
 * accuracy of the argmax read at each step k, the EOS prediction cut at k. A
 * compiled evaluation gives one point.
 */
export function tradeOffChart(evals: EvalInput[]): string {
  const series: LineSeries[] = [];
  evals.forEach((entry, i) => {
    const color = colorOf(i);
    const result = entry.result;
    if (result.kind === 'compiled') {
      const point = { x: finite(result.summary.meanSpikeStep), y: finite(result.summary.accuracyAtSpike) * 100 };
      series.push({ name: entry.name, color, points: [{ ...point, title: `theta ${finite(result.summary.threshold)}` }], highlight: [0] });
      return;
    }
    const sweep = [...result.sweep].sort((a, b) => finite(a.theta) - finite(b.theta));
    const points = sweep.map((point) => ({
      x: finite(point.meanSpikeStep),
      y: finite(point.accuracyAtSpike) * 100,
      title: `theta ${finite(point.theta)}: ${(finite(point.accuracyAtSpike) * 100).toFixed(2)} % at mean t_sp ${finite(point.meanSpikeStep).toFixed(2)}`,
    }));
    const own = sweep.findIndex((point) => point.theta === result.summary.threshold);
    series.push({ name: `${entry.name}: RC, theta sweep`, color, points, highlight: own >= 0 ? [own] : [] });
    const steps = result.accuracyByStep.map((accuracy, k) => ({ x: k + 1, y: finite(accuracy) * 100, title: `argmax at step ${k + 1}` }));
    series.push({ name: `${entry.name}: argmax at step k`, color, dash: STEP_READ_DASH, points: steps });
  });
  return lineChart({
    id: 'trade-off',
    title: 'Speed-accuracy trade-off',
    ...CHART_SIZE,
    x: { label: 'mean spike step t_sp, or step k (steps)', min: 0 },
    y: { label: 'accuracy (%)', format: percentFormat },
    series,
  });
}

/** Returns the histogram of t_sp at each evaluation's threshold, as shares of its examples. */
export function histogramChart(evals: EvalInput[]): string {
  const frames = Math.max(0, ...evals.map((entry) => finite(entry.result.summary.spikeStepHistogram?.length) || 0));
  const categories = [...Array.from({ length: frames }, (_, i) => String(i + 1)), 'none'];
  const series = evals.map((entry, i) => {
    const summary = entry.result.summary;
    const examples = finite(summary.examples);
    const histogram = Array.isArray(summary.spikeStepHistogram) ? summary.spikeStepHistogram : [];
    const values = categories.map((_, k) => {
      const count = k === frames ? summary.noSpikeCount : histogram[k];
      return (finite(count) / examples) * 100;
    });
    return { name: `${entry.name} (theta ${finite(summary.threshold)})`, color: colorOf(i), values };
  });
  return barChart({
    id: 'spike-histogram',
    title: 'Spike step distribution',
    ...CHART_SIZE,
    categories,
    x: { label: 'spike step t_sp (none: no step reached theta)' },
    y: { label: 'examples (%)', format: percentFormat },
    series,
  });
}
