/**
 * Prints the figures of the runs that bench/published-table.sh trains as
 * Markdown tables: accuracy and mean t_sp per task and mode, and the per-epoch
 * training cost of RC against EOS on temporal MNIST. A run folder that is
 * missing or incomplete is listed as not run.
 *
 *   node dist/bench/published-table.js --runs runs/published-table [--mnist-rc-metrics FILE]
 *
 * Each run folder contains what rc-train writes (report.json, metrics.jsonl), the
 * rc-eval result eval.json, the /usr/bin/time -v output time.txt and, for
 * sequence spotting, the spotting-earliest result earliest.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';

/** Mean t_sp of the training split at or below which an RC epoch counts as settled. */
const SETTLED_SPIKE_STEP = 2;

interface EpochMetrics {
  epoch: number;
  epochSeconds: number;
  train: { examples: number; meanSpikeStep: number; framesSearched: number; framesTrained: number; framesAllSteps: number };
}

interface EvalFile {
  summary: { accuracyAtSpike: number; meanSpikeStep: number; noSpikeRate: number; examples: number };
  accuracyAtLastFrame: number;
  atStep: { step: number; accuracy: number }[];
}

interface ReportFile {
  trainExamples: number;
  epochs: number;
  settings: { units: number | number[]; learningRate: number; lrDecay?: number; batchSize: number; betaSchedule?: { epoch: number; beta: number }[]; maxMeanSpikeStep?: number };
}

interface EarliestFile {
  positiveSequences: number;
  positiveSpikeAtEarliestStep: number;
}

interface ProcessTimes {
  wallSeconds: number;
  cpuSeconds: number;
}

function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

function readMetrics(path: string): EpochMetrics[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as EpochMetrics);
}

/** Reads the wall time and the user plus system CPU time from the output of /usr/bin/time -v. */
function readTimes(path: string): ProcessTimes | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  const user = /User time \(seconds\): ([\d.]+)/.exec(text);
  const system = /System time \(seconds\): ([\d.]+)/.exec(text);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(text);
  if (user === null || system === null || wall === null) return undefined;
  // The wall time reads m:ss.ss or h:mm:ss.
  const wallSeconds = wall[1].split(':').reduce((total, part) => total * 60 + Number(part), 0);
  return { wallSeconds, cpuSeconds: Number(user[1]) + Number(system[1]) };
}

const percent = (value: number | undefined): string => (value === undefined ? 'not run' : `${(100 * value).toFixed(2)} %`);
const steps = (value: number | undefined): string => (value === undefined ? 'not run' : value.toFixed(2));

function describeBudget(report: ReportFile | undefined, times: ProcessTimes | undefined): string {
  if (report === undefined) return 'not run';
  const units = Array.isArray(report.settings.units) ? report.settings.units.join(',') : report.settings.units;
  const seen = report.trainExamples * report.epochs;
  const time = times === undefined ? '' : `, ${Math.round(times.wallSeconds)} s wall, ${Math.round(times.cpuSeconds)} s CPU`;
  const { lrDecay, betaSchedule, maxMeanSpikeStep } = report.settings;
  const decay = lrDecay === undefined || lrDecay === 1 ? '' : ` decayed by ${lrDecay} per epoch`;
  const beta = betaSchedule === undefined ? '' : `, beta ${betaSchedule.map((step) => (betaSchedule.length === 1 ? `${step.beta}` : `${step.epoch}:${step.beta}`)).join(',')}`;
  const limit = maxMeanSpikeStep === undefined ? '' : `, exported epoch limited to validation mean t_sp <= ${maxMeanSpikeStep}`;
  return (
    `${seen.toLocaleString('en-US')} examples seen (${report.epochs} ${report.epochs === 1 ? 'epoch' : 'epochs'} of ${report.trainExamples.toLocaleString('en-US')}), ` +
    `LSTM ${units}, Adam ${report.settings.learningRate}${decay}${beta}${limit}${time}`
  );
}

function printAccuracyRows(runs: string): void {
  console.log('| run | accuracy at spike | mean t_sp | accuracy at step T | accuracy at step 14 | budget |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- |');
  for (const name of ['mnist-rc', 'mnist-eos', 'spotting-rc', 'two-sequence-rc', 'two-sequence-eos']) {
    const folder = join(runs, name);
    const evaluation = readJson<EvalFile>(join(folder, 'eval.json'));
    const report = readJson<ReportFile>(join(folder, 'report.json'));
    const atStep14 = evaluation?.atStep.find((entry) => entry.step === 14)?.accuracy;
    console.log(
      `| ${name} | ${percent(evaluation?.summary.accuracyAtSpike)} | ${steps(evaluation?.summary.meanSpikeStep)} | ` +
        `${percent(evaluation?.accuracyAtLastFrame)} | ${atStep14 === undefined ? '' : percent(atStep14)} | ` +
        `${describeBudget(report, readTimes(join(folder, 'time.txt')))} |`,
    );
  }
  const earliest = readJson<EarliestFile>(join(runs, 'spotting-rc', 'earliest.json'));
  if (earliest !== undefined) {
    console.log(
      `\nsequence spotting: ${percent(earliest.positiveSpikeAtEarliestStep)} of ${earliest.positiveSequences} positive test sequences spike positive at the earliest possible step`,
    );
  }
}

function printEpochCost(rcMetricsPath: string, eosMetricsPath: string): void {
  const rcEpochs = readMetrics(rcMetricsPath);
  const eosEpochs = readMetrics(eosMetricsPath);
  const settled = rcEpochs.find((epoch) => epoch.train.meanSpikeStep <= SETTLED_SPIKE_STEP);
  console.log(`\ntemporal MNIST, one training epoch (RC: the first epoch with training mean t_sp <= ${SETTLED_SPIKE_STEP}; EOS: every epoch run)`);
  console.log('| run | epoch | training mean t_sp | frames searched | frames trained | frames at batch x T | epoch wall seconds |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const row = (label: string, epoch: EpochMetrics): void => {
    const train = epoch.train;
    console.log(
      `| ${label} | ${epoch.epoch} | ${train.meanSpikeStep.toFixed(3)} | ${train.framesSearched} | ${train.framesTrained} | ${train.framesAllSteps} | ${epoch.epochSeconds.toFixed(1)} |`,
    );
  };
  if (settled === undefined) console.log(`| RC (${rcMetricsPath}) | not reached | | | | | |`);
  else row(`RC (${rcMetricsPath})`, settled);
  if (eosEpochs.length === 0) console.log(`| EOS (${eosMetricsPath}) | not run | | | | | |`);
  for (const epoch of eosEpochs) row(`EOS (${eosMetricsPath})`, epoch);
}

function main(): void {
  const program = new Command('published-table')
    .description('print the figures of the runs of bench/published-table.sh as Markdown')
    .requiredOption('--runs <folder>', 'output folder of bench/published-table.sh')
    .option('--mnist-rc-metrics <file>', 'metrics.jsonl of the temporal MNIST RC run; default: mnist-rc/metrics.jsonl in --runs');
  program.parse();
  const options = program.opts<{ runs: string; mnistRcMetrics?: string }>();
  printAccuracyRows(options.runs);
  printEpochCost(options.mnistRcMetrics ?? join(options.runs, 'mnist-rc', 'metrics.jsonl'), join(options.runs, 'mnist-eos', 'metrics.jsonl'));
}

main();
