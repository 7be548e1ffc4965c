/**
 * rc-report: renders training runs and rc-eval results into one self-contained
 * HTML page with inline SVG charts.
 */
import { Command, InvalidArgumentError } from 'commander';
import { EXIT_USAGE, parseArguments } from '../common/cli.js';
import { UserError } from '../common/errors.js';
import { checkOutputFilePath, writeFileAtomic } from '../common/files.js';
import { log, setLogLevel } from '../common/log.js';
import { readEval, readRun, uniqueNames } from './inputs.js';
import { renderReport } from './page.js';

function parseNonNegative(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('Expected a non-negative integer, such as 3.');
  return Number(value);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function buildProgram(): Command {
  return new Command('rc-report')
    .description('Render rc-train runs and rc-eval results into one self-contained HTML page with SVG charts.')
    .argument('[runs...]', 'rc-train output folders, each with metrics.jsonl (and report.json when the run finished)')
    .option('--eval <file...>', 'rc-eval result files (rc-eval --out FILE); the option may repeat', collect, [])
    .requiredOption('--out <file>', 'the HTML file to write')
    .option('--title <text>', 'page title', 'rankcode report')
    .option('--examples <n>', 'example sequences drawn per evaluation', parseNonNegative, 3)
    .option('--quiet', 'print warnings and errors only')
    .showHelpAfterError('(run rc-report --help for the options)')
    .exitOverride();
}

/** Parses `argv` (as process.argv), writes the page, and returns the exit status. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  const parseStatus = parseArguments(program, argv);
  if (parseStatus !== null) return parseStatus;
  const flags = program.opts<{ eval: string[] | string[][]; out: string; title: string; examples: number; quiet?: boolean }>();
  if (flags.quiet) setLogLevel('warn');
  try {
    checkOutputFilePath(flags.out);
    const evalPaths = flags.eval.flat();
    if (program.args.length === 0 && evalPaths.length === 0) {
      throw new UserError('nothing to report: pass rc-train output folders, --eval files, or both');
    }
    const runs = uniqueNames(program.args.map(readRun));
    const evals = uniqueNames(evalPaths.map(readEval));
    const html = renderReport({ title: flags.title, runs, evals, examplesPerEval: flags.examples });
    writeFileAtomic(flags.out, html);
    log.info(`wrote ${flags.out}: ${runs.length} run(s), ${evals.length} evaluation(s), ${Buffer.byteLength(html)} bytes`);
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
