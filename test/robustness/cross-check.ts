/**
 * Runs batches of models and int8 sequences on the reference simulator, the
 * wasm target and the C target, and counts the cases whose results differ.
 * Each model gets one wasm instance for all its sequences: the SIMD build for
 * even model numbers, the scalar build for odd ones. Each batch gets one C
 * harness.
 *
 * A case is one sequence on one model, run on all three. It matches when, in
 * wasm and in C, the spike flag, class, step, confidence and frames computed
 * equal the reference and the logits of every computed frame hash to the same
 * FNV-1a value; the batch run() of each runtime must agree with its own
 * streaming too. A crash is a case that threw or trapped in wasm, or that the C
 * harness did not answer because it exited abnormally.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { QModel } from '../../compiler/qmodel.js';
import { ReferenceSimulator } from '../../compiler/simulator.js';
import { createWasmTarget } from '../../compiler/targets/wasm.js';
import type { LoadedModel, LoaderModule } from '../runtime-as/wasm-harness.js';
import { makeTemporaryFolder, writeEmittedFiles } from '../runtime-as/wasm-harness.js';
import {
  buildCBatch,
  type CaseResult,
  FNV_OFFSET,
  formatCase,
  hashLogits,
  parseCaseLine,
  parseLabelsLine,
  referenceCase,
  removeCBatch,
  runHarness,
} from './c-batch.js';

export interface BatchEntry {
  model: QModel;
  sequences: number[][][];
}

export interface CrossCheckCounts {
  /** Sequences run, each on the reference, wasm and C. */
  cases: number;
  /** Cases that crashed in wasm or C. */
  crashes: number;
  /** Cases that ran but differed from the reference in wasm or C. */
  mismatches: number;
  /** Models whose labels did not come back exactly through C or the JS loader. */
  labelMismatches: number;
  /** The first few problems, for the failure message. */
  problems: string[];
}

export interface CrossCheckOptions {
  /** Extra C compiler flags, for example the sanitizers. */
  cFlags: string[];
  /** Skip the C runtime (no C compiler on the machine). */
  skipC?: boolean;
}

const MAX_PROBLEMS = 5;

function sameCase(a: CaseResult, b: CaseResult): boolean {
  return (
    a.spiked === b.spiked &&
    a.classIndex === b.classIndex &&
    a.step === b.step &&
    a.confidence === b.confidence &&
    a.framesComputed === b.framesComputed &&
    a.logitHash === b.logitHash &&
    a.runMatches === b.runMatches
  );
}

/** Streams a sequence through the wasm model like the C harness does, then checks run() against it. */
function wasmCase(instance: LoadedModel, frames: number[][]): CaseResult {
  instance.reset();
  let hash = FNV_OFFSET;
  let result = { spiked: false, classIndex: 0, step: 0, confidence: 0 };
  for (const frame of frames) {
    const before = instance.framesComputed;
    result = instance.step(Int8Array.from(frame));
    if (instance.framesComputed !== before) hash = hashLogits(hash, instance.logits);
  }
  const computed = instance.framesComputed;
  const batch = instance.run(frames.map((frame) => Int8Array.from(frame)));
  const runMatches =
    batch.spiked === result.spiked &&
    batch.classIndex === result.classIndex &&
    batch.step === result.step &&
    batch.confidence === result.confidence &&
    instance.framesComputed === computed;
  return {
    spiked: result.spiked ? 1 : 0,
    classIndex: result.classIndex,
    step: result.step,
    confidence: result.confidence,
    framesComputed: computed,
    logitHash: hash,
    runMatches: runMatches ? 1 : 0,
  };
}

function describeCase(runtime: string, model: number, sequence: number, expected: CaseResult, actual: CaseResult | string): string {
  return `${runtime} model ${model} sequence ${sequence}: expected ${JSON.stringify(expected)}, got ${typeof actual === 'string' ? actual : JSON.stringify(actual)}`;
}

async function loadWasm(model: QModel, simd: boolean): Promise<{ loader: LoaderModule; instance: LoadedModel }> {
  const files = await createWasmTarget({ simd }).emit({ qmodel: model, prefix: 'rc_model', compilerVersion: '0.0.0-fuzz' });
  const folder = makeTemporaryFolder();
  writeEmittedFiles(folder, files);
  const loader = (await import(pathToFileURL(join(folder, 'model.js')).href)) as LoaderModule;
  const wasm = files.find((file) => file.path === 'model.wasm')!.contents;
  return { loader, instance: loader.createModelSync(wasm) };
}

/** Per case: whether any runtime crashed on it, or differed from the reference. */
interface CaseFlags {
  crashed: boolean[][];
  mismatched: boolean[][];
}

/** Runs every sequence of every entry on all runtimes and returns the counts. */
export async function crossCheck(entries: BatchEntry[], options: CrossCheckOptions): Promise<CrossCheckCounts> {
  const counts: CrossCheckCounts = { cases: 0, crashes: 0, mismatches: 0, labelMismatches: 0, problems: [] };
  const problem = (text: string) => {
    if (counts.problems.length < MAX_PROBLEMS) counts.problems.push(text);
  };
  const flags: CaseFlags = {
    crashed: entries.map((entry) => entry.sequences.map(() => false)),
    mismatched: entries.map((entry) => entry.sequences.map(() => false)),
  };
  const expected = entries.map((entry) => {
    const simulator = new ReferenceSimulator(entry.model);
    return entry.sequences.map((frames) => referenceCase(simulator, frames));
  });

  for (const [m, entry] of entries.entries()) {
    const simd = m % 2 === 0;
    let wasm: { loader: LoaderModule; instance: LoadedModel };
    try {
      wasm = await loadWasm(entry.model, simd);
    } catch (error) {
      flags.crashed[m].fill(true);
      problem(`wasm model ${m}: emitting or instantiating failed: ${(error as Error).message}`);
      continue;
    }
    if (JSON.stringify(wasm.loader.modelInfo.labels) !== JSON.stringify(entry.model.labels)) {
      counts.labelMismatches++;
      problem(`wasm model ${m}: labels ${JSON.stringify(wasm.loader.modelInfo.labels)}, expected ${JSON.stringify(entry.model.labels)}`);
    }
    entry.sequences.forEach((frames, s) => {
      try {
        const actual = wasmCase(wasm.instance, frames);
        if (!sameCase(actual, expected[m][s])) {
          flags.mismatched[m][s] = true;
          problem(describeCase(simd ? 'wasm SIMD' : 'wasm scalar', m, s, expected[m][s], actual));
        }
      } catch (error) {
        flags.crashed[m][s] = true;
        problem(describeCase('wasm', m, s, expected[m][s], `an exception: ${(error as Error).message}`));
      }
    });
  }

  if (!options.skipC) await crossCheckC(entries, expected, options, counts, flags, problem);
  for (const [m, entry] of entries.entries()) {
    entry.sequences.forEach((_, s) => {
      counts.cases++;
      if (flags.crashed[m][s]) counts.crashes++;
      else if (flags.mismatched[m][s]) counts.mismatches++;
    });
  }
  return counts;
}

async function crossCheckC(
  entries: BatchEntry[],
  expected: CaseResult[][],
  options: CrossCheckOptions,
  counts: CrossCheckCounts,
  flags: CaseFlags,
  problem: (text: string) => void,
): Promise<void> {
  const batch = await buildCBatch(
    entries.map((entry) => entry.model),
    options.cFlags,
  );
  try {
    const commands: { model: number; sequence: number }[] = [];
    let input = '';
    entries.forEach((entry, m) => {
      input += `labels ${m}\n`;
      entry.sequences.forEach((frames, s) => {
        commands.push({ model: m, sequence: s });
        input += formatCase({ model: m, frames });
      });
    });
    const run = await runHarness(batch.binary, input);
    const labelLines = run.lines.filter((line) => line.startsWith('labels'));
    const caseLines = run.lines.filter((line) => line.startsWith('case'));
    labelLines.forEach((line, m) => {
      if (JSON.stringify(parseLabelsLine(line)) !== JSON.stringify(entries[m].model.labels)) {
        counts.labelMismatches++;
        problem(`C model ${m}: labels ${JSON.stringify(parseLabelsLine(line))}, expected ${JSON.stringify(entries[m].model.labels)}`);
      }
    });
    if (run.status !== 0 && caseLines.length === commands.length) {
      const last = commands[commands.length - 1];
      flags.crashed[last.model][last.sequence] = true;
      problem(`C harness answered every case but exited with status ${run.status} (signal ${run.signal}):\n${run.stderr.slice(0, 2000)}`);
    }
    commands.forEach(({ model, sequence }, k) => {
      if (k >= caseLines.length) {
        flags.crashed[model][sequence] = true;
        if (k === caseLines.length) problem(`C harness stopped at model ${model} sequence ${sequence} (status ${run.status}, signal ${run.signal}):\n${run.stderr.slice(0, 2000)}`);
        return;
      }
      const actual = parseCaseLine(caseLines[k]);
      if (!sameCase(actual, expected[model][sequence])) {
        flags.mismatched[model][sequence] = true;
        problem(describeCase('C', model, sequence, expected[model][sequence], actual));
      }
    });
  } finally {
    removeCBatch(batch);
  }
}
