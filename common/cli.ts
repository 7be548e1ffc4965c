import { CommanderError, type Command } from 'commander';

/** Exit status of invalid user input: bad flags, files or models. */
export const EXIT_USAGE = 2;

/**
 * Parses `argv` (as process.argv) with a program built with exitOverride().
 * Returns null when the command should run, or the exit status when Commander
 * has already handled the arguments: 0 for --help and --version, EXIT_USAGE for
 * invalid flags, whose message Commander has printed.
 */
export function parseArguments(program: Command, argv: string[]): number | null {
  try {
    program.parse(argv);
    return null;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    throw error;
  }
}
