/**
 * The one logger of the command-line tools. Library code logs through it and never
 * calls console.log, so `--quiet` and `--json` can silence or redirect every line.
 * Messages go to stderr, which keeps stdout free for machine-readable output.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

let currentLevel: LogLevel = (process.env.RANKCODE_LOG_LEVEL as LogLevel | undefined) ?? 'info';
if (!(currentLevel in LEVEL_ORDER)) currentLevel = 'info';

export function setLogLevel(level: LogLevel): void {
  currentLevel = level;
}

export function getLogLevel(): LogLevel {
  return currentLevel;
}

/**
 * Escapes the characters a terminal acts on (C0 and C1 controls other than tab
 * and line feed, DEL, and the Unicode bidirectional overrides) as \uXXXX, so
 * that text from a model file cannot move the cursor, recolor or hide output.
 */
export function escapeTerminalControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function emit(level: Exclude<LogLevel, 'silent'>, message: string): void {
  if (LEVEL_ORDER[level] < LEVEL_ORDER[currentLevel]) return;
  const prefix = level === 'info' ? '' : `${level}: `;
  process.stderr.write(`${prefix}${escapeTerminalControls(message)}\n`);
}

export const log = {
  debug: (message: string) => emit('debug', message),
  info: (message: string) => emit('info', message),
  warn: (message: string) => emit('warn', message),
  error: (message: string) => emit('error', message),
};
