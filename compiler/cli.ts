/**
 * rc-compile: loads a TensorFlow.js model.json, quantizes it, prints the compile
 * report and writes one output folder per target.
 */
import { Command, CommanderError } from 'commander';
import { UserError } from '../common/errors.js';
import { log, setLogLevel } from '../common/log.js';
import { emitTargets } from './emit.js';
import { measureAgreement, readSequences } from './evaluate.js';
import { loadModel } from './loader.js';
import { quantizeModel } from './quantize.js';
import { buildReport, formatReport } from './report.js';
import { targetNames } from './targets/index.js';

/** Exit status of invalid user input: bad flags, files or models. */
const EXIT_USAGE = 2;

function buildProgram(): Command {
  return new Command('rc-compile')
    .description('Compile a rank-coding LSTM classifier (TensorFlow.js model.json) into integer-only code for each target.')
    .argument('<model>', 'path of model.json; its weight shards are read from the same folder')
    .requiredOption('--target <names>', `comma-separated targets: ${targetNames().join(', ')}`)
    .requiredOption('--out <dir>', 'output folder; with several targets, one subfolder per target is written inside it')
    .option('--force', 'overwrite files in an output folder that is not empty')
    .option('--prefix <name>', 'prefix of the emitted C symbols (default: derived from the model name, else rc_model)')
    .option('--data <file>', 'labelled sequences, {"sequences": [{"frames": [[...]], "label": 0}]}, to measure float-versus-integer agreement')
    .option('--json', 'print the report as JSON on stdout instead of a table')
    .option('--quiet', 'print warnings and errors only')
    .showHelpAfterError('(run rc-compile --help for the options)')
    .exitOverride();
}

async function compile(modelPath: string, flags: Record<string, unknown>): Promise<void> {
  const targets = String(flags.target)
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const model = loadModel(modelPath);
  log.info(`loaded ${modelPath}: LSTM ${model.lstm.inputSize}-${model.lstm.units}, Dense ${model.dense.units}`);
  const qmodel = quantizeModel(model);

  let agreement;
  if (typeof flags.data === 'string') {
    const sequences = readSequences(flags.data, qmodel.inputSize, model.dense.units);
    log.info(`measuring float-versus-integer agreement on ${sequences.length} sequences from ${flags.data}`);
    agreement = measureAgreement(model, qmodel, sequences);
  }
  const report = buildReport(qmodel, agreement);
  await emitTargets(qmodel, report, {
    targets,
    outDir: String(flags.out),
    force: flags.force === true,
    prefix: typeof flags.prefix === 'string' ? flags.prefix : undefined,
  });
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
}

/** Parses `argv` (as process.argv), compiles, and returns the exit status. */
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
  try {
    await compile(program.args[0], flags);
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
