/**
 * rc-compile: loads a TensorFlow.js model.json, quantizes it, prints the compile
 * report and writes one output folder per target. With --check it first runs
 * the float and the integer model side by side and fails when they agree too
 * rarely.
 */
import { Command, Option } from 'commander';
import { EXIT_USAGE, parseArguments } from '../common/cli.js';
import { UserError } from '../common/errors.js';
import { escapeTerminalControls, log, setLogLevel } from '../common/log.js';
import { calibrate } from './calibrate.js';
import { CheckFailure, enforceAgreement, percent } from './check-advice.js';
import { emitTargets } from './emit.js';
import { type MeasuredAgreement, measureAgreement, readSequences } from './evaluate.js';
import { type RankcodeSettings, layerKindName } from './float-model.js';
import { loadModel } from './loader.js';
import { quantizeModel } from './quantize.js';
import { buildReport, formatReport } from './report.js';
import { targetNames } from './targets/index.js';

/** Exit status of a --check whose agreement falls below --min-agreement. */
const EXIT_CHECK_FAILED = 1;
const DEFAULT_MIN_AGREEMENT = 0.98;

function buildProgram(): Command {
  return new Command('rc-compile')
    .description('Compile a rank-coding LSTM classifier (TensorFlow.js model.json) into integer-only code for each target.')
    .argument('<model>', 'path of model.json; its weight shards are read from the same folder')
    .option('--target <names>', `comma-separated targets: ${targetNames().join(', ')}; required unless --check is given`)
    .option('--out <dir>', 'output folder; with several targets, one subfolder per target is written inside it')
    .option('--force', 'overwrite files in an output folder that is not empty')
    .option('--prefix <name>', 'prefix of the emitted C symbols (default: derived from the model name, else rc_model)')
    .option('--data <file>', 'labelled sequences, {"sequences": [{"frames": [[...]], "label": 0}]}: report float-versus-integer agreement without failing on it')
    .addOption(new Option('--weights <width>', 'width of the quantized weights, with one scale per output row').choices(['int8', 'int16']).default('int8'))
    .option('--calibrate <file>', 'sequences in the JSON format of --data, whose float activations pick the formats of hidden Dense layers')
    .option('--check <file>', 'sequences in the JSON format of --data: run the float and the integer model side by side and fail below --min-agreement')
    .option('--min-agreement <fraction>', `share of --check sequences with the same spike step and class, from 0 to 1 (default ${DEFAULT_MIN_AGREEMENT})`)
    .option('--json', 'print the report as JSON on stdout instead of a table')
    .option('--quiet', 'log warnings and errors only; the report is still printed on stdout')
    .showHelpAfterError('(run rc-compile --help for the options)')
    .exitOverride();
}

function readMinAgreement(value: unknown): number {
  if (value === undefined) return DEFAULT_MIN_AGREEMENT;
  const fraction = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !(fraction >= 0 && fraction <= 1)) {
    throw new UserError(`--min-agreement is ${JSON.stringify(value)}; expected a number from 0 to 1, for example 0.98.`);
  }
  return fraction;
}

/** Warns on stderr about saturated inputs and agreement below the default --min-agreement, because --data does not fail on them. */
function warnAboutAgreement(agreement: MeasuredAgreement, dataPath: string, settings: RankcodeSettings): void {
  if (agreement.saturatedInputs > 0) {
    log.warn(
      `${agreement.saturatedInputs} of the ${agreement.inputValues} input values of ${dataPath} lie outside the model's input range ` +
        `[${settings.inputMin}, ${settings.inputMax}] (largest |x| ${agreement.largestInput.toPrecision(4)}) and saturate at +-127 when quantized to int8.`,
    );
  }
  if (agreement.agreement < DEFAULT_MIN_AGREEMENT) {
    log.warn(
      `float and integer models agree on spike step and class in only ${percent(agreement.agreement)} of the sequences of ${dataPath} ` +
        `(--check fails below ${percent(DEFAULT_MIN_AGREEMENT)}); run with --check ${dataPath} for the likely cause.`,
    );
  }
}

async function compile(modelPath: string, flags: Record<string, unknown>): Promise<void> {
  const checkPath = typeof flags.check === 'string' ? flags.check : undefined;
  if (flags.minAgreement !== undefined && checkPath === undefined) {
    throw new UserError('--min-agreement needs --check <file>, the data that the threshold applies to; pass --check or leave out --min-agreement.');
  }
  const minAgreement = readMinAgreement(flags.minAgreement);
  if (checkPath === undefined && (flags.target === undefined || flags.out === undefined)) {
    throw new UserError('pass --target and --out to compile, or --check <file> to only check the integer model against the float one.');
  }
  if (flags.target !== undefined && flags.out === undefined) throw new UserError('--out is missing; pass the output folder for --target with --out.');
  const model = loadModel(modelPath);
  log.info(`loaded ${modelPath}: ${model.layers.map((layer) => `${layerKindName(layer.kind)} ${layer.units}`).join(', ')}`);
  const labels = model.settings.labels;

  let calibratedRanges;
  let calibratedInputMaxAbs;
  if (typeof flags.calibrate === 'string') {
    const result = calibrate(model, readSequences(flags.calibrate, model.layers[0].inputSize, labels));
    if (result.hiddenRanges.size === 0 && model.settings.inputRangeStated) {
      log.info(
        `--calibrate changes nothing: the model has no hidden Dense relu or linear layer, whose formats calibration sets, ` +
          `and model.json states the input range, so ${flags.calibrate} sets no format`,
      );
    } else {
      log.info(`calibrated on ${result.sequences} sequences (${result.frames} frames) from ${flags.calibrate}`);
    }
    calibratedRanges = result.hiddenRanges;
    calibratedInputMaxAbs = result.inputMaxAbs;
    if (!model.settings.inputRangeStated) {
      log.info(`input scale from the calibration data: |x| <= ${result.inputMaxAbs.toPrecision(4)} maps to 127`);
    }
  }
  const weightBits = flags.weights === 'int16' ? 16 : 8;
  const qmodel = quantizeModel(model, { weightBits, calibratedRanges, calibratedInputMaxAbs });

  let agreement;
  const dataPath = checkPath ?? (typeof flags.data === 'string' ? flags.data : undefined);
  if (dataPath !== undefined) {
    const sequences = readSequences(dataPath, qmodel.inputSize, labels);
    log.info(`measuring float-versus-integer agreement on ${sequences.length} sequences from ${dataPath}`);
    agreement = measureAgreement(model, qmodel, sequences);
    if (checkPath === undefined) warnAboutAgreement(agreement, dataPath, model.settings);
  }
  const report = buildReport(qmodel, agreement);
  const printReport = () =>
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${escapeTerminalControls(formatReport(report))}\n`);
  if (checkPath !== undefined && agreement !== undefined) {
    try {
      const context = { model, inputScale: qmodel.inputScale, weightBits, calibrated: calibratedRanges !== undefined };
      enforceAgreement(agreement, minAgreement, checkPath, context);
    } catch (error) {
      printReport();
      throw error;
    }
  }
  if (flags.target !== undefined) {
    const targets = String(flags.target)
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    await emitTargets(qmodel, report, {
      targets,
      outDir: String(flags.out),
      force: flags.force === true,
      prefix: typeof flags.prefix === 'string' ? flags.prefix : undefined,
    });
  }
  printReport();
}

/** Parses `argv` (as process.argv), compiles, and returns the exit status. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  const parseStatus = parseArguments(program, argv);
  if (parseStatus !== null) return parseStatus;
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
    if (error instanceof CheckFailure) {
      log.error(error.message);
      return EXIT_CHECK_FAILED;
    }
    throw error;
  }
}

process.exitCode = await runCli(process.argv);
