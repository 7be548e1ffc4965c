/** The text report that rc-eval prints when --json is not given. */
import type { CompiledEvalResult, EvalDataInfo, FloatEvalResult, SpikeSummary } from './eval-types.js';

/** Widest bar of the t_sp histogram, in characters. */
const HISTOGRAM_WIDTH = 40;

export function formatFloatResult(result: FloatEvalResult): string {
  const { model, summary } = result;
  const trained = [model.mode === undefined ? undefined : `mode ${model.mode}`, model.beta === undefined ? undefined : `beta ${model.beta}`]
    .filter((part) => part !== undefined)
    .join(', ');
  const forward = result.engine.backend === undefined ? 'float64 layers of the compiler' : `TensorFlow.js, ${result.engine.backend} backend`;
  const lines = [
    row('model', `${model.path}: ${model.layers}${trained === '' ? '' : ` (${trained})`}, theta ${model.threshold}`),
    row('data', describeData(result.data)),
    row('forward pass', forward),
    ...formatSummary(summary, result.data.frames),
    row('EOS at step T', `accuracy ${percent(result.accuracyAtLastFrame)} (argmax at step ${result.data.frames})`),
    ...result.atStep.map((entry) => row(`at step ${entry.step}`, `accuracy ${percent(entry.accuracy)} (argmax at step ${entry.step})`)),
    '',
    'theta sweep (speed-accuracy trade-off)',
    '  theta    accuracy  mean t_sp  median t_sp  no spike  frames never computed',
    ...result.sweep.map(
      (point) =>
        `  ${point.theta.toString().padEnd(7)}  ${percent(point.accuracyAtSpike).padStart(8)}  ${point.meanSpikeStep.toFixed(2).padStart(9)}  ` +
        `${String(point.medianSpikeStep).padStart(11)}  ${percent(point.noSpikeRate).padStart(8)}  ${percent(point.framesSkippedShare).padStart(21)}`,
    ),
    '',
    row('wall time', `${result.wallSeconds.toFixed(1)} s`),
  ];
  return `${lines.join('\n')}\n`;
}

export function formatCompiledResult(result: CompiledEvalResult): string {
  const { model, summary } = result;
  const lines = [
    row('model', `${model.folder}: ${model.name} (source sha256 ${model.sourceHash.slice(0, 16)}..., SIMD ${model.simd ? 'on' : 'off'}), theta ${model.threshold}`),
    row('data', describeData(result.data)),
    row('forward pass', 'model.wasm with early exit'),
    ...formatSummary(summary, result.data.frames),
    row('frames', `${summary.framesComputed} computed, ${result.framesNeverComputed} never computed of ${result.data.examples * result.data.frames}`),
  ];
  if (result.reference !== undefined) {
    const reference = result.reference;
    lines.push(
      row(
        'reference',
        `${reference.matches} of ${result.data.examples} examples equal the integer reference simulator ` +
          `(class ${percent(reference.classAgreement)}, spike step ${percent(reference.stepAgreement)})`,
      ),
    );
  }
  lines.push(row('runtime speed', `${Math.round(result.framesPerSecond)} frames per second inside step() (${result.runtimeSeconds.toFixed(2)} s)`));
  lines.push(row('wall time', `${result.wallSeconds.toFixed(1)} s`));
  return `${lines.join('\n')}\n`;
}

function formatSummary(summary: SpikeSummary, frames: number): string[] {
  const largest = Math.max(1, ...summary.spikeStepHistogram, summary.noSpikeCount);
  const bar = (count: number) => '#'.repeat(Math.round((count / largest) * HISTOGRAM_WIDTH));
  const stepWidth = String(frames).length;
  return [
    row(
      `at theta ${summary.threshold}`,
      `accuracy at spike ${percent(summary.accuracyAtSpike)}, mean t_sp ${summary.meanSpikeStep.toFixed(2)} of ${frames}, ` +
        `median ${summary.medianSpikeStep}, no spike ${percent(summary.noSpikeRate)}, frames never computed ${percent(summary.framesSkippedShare)}`,
    ),
    't_sp histogram (examples that spiked at each step)',
    ...summary.spikeStepHistogram.map((count, index) => `  ${String(index + 1).padStart(stepWidth)}  ${String(count).padStart(6)}  ${bar(count)}`),
    `  ${'-'.repeat(stepWidth)}  ${String(summary.noSpikeCount).padStart(6)}  ${bar(summary.noSpikeCount)}  (no spike, t_sp = T)`,
  ];
}

function describeData(data: EvalDataInfo): string {
  return `${data.task}, ${data.split} split: ${data.examples} sequences of ${data.frames} frames x ${data.frameSize} values`;
}

function row(name: string, value: string): string {
  return `${name.padEnd(16)}${value}`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(2)} %`;
}
