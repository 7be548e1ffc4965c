/**
 * Builds bare-metal Cortex-M4 firmware with arm-none-eabi-gcc and runs it on
 * QEMU's mps2-an386 machine. The firmware prints through semihosting and ends
 * with a semihosting exit, so a run returns the firmware's output and status.
 * The platform sources (startup, semihosting, formatting, SysTick counter)
 * live in targets/cortex-m/platform; docs/QEMU.md explains the clock facts.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const GCC = 'arm-none-eabi-gcc';
export const QEMU = 'qemu-system-arm';
export const QEMU_MACHINE = 'mps2-an386';
const NEWLIB_HEADERS = 'newlib headers for arm-none-eabi';

/**
 * Instructions per SysTick tick when QEMU runs with `-icount shift=0` and the
 * platform's SysTick uses the 25 MHz processor clock (PLATFORM_INSTRUCTIONS_PER_TICK
 * in platform.h, measured by test/qemu/systick.test.ts).
 */
export const INSTRUCTIONS_PER_TICK = 40;

/** Code generation flags for the AN386's Cortex-M4, integer only. */
export const CPU_FLAGS = ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=soft'];

const BASE_CFLAGS = [
  ...CPU_FLAGS,
  '-O2',
  '-g',
  '-std=c99',
  '-Wall',
  '-Wextra',
  '-Werror',
  '-ffunction-sections',
  '-fdata-sections',
];

/** A required program that is not installed, with the Debian package that provides it. */
export class MissingToolError extends Error {
  constructor(
    readonly tool: string,
    readonly debianPackage: string,
    detail: string,
  ) {
    super(`${tool}: ${detail}. Install it with: apt-get install ${debianPackage}`);
    this.name = 'MissingToolError';
  }
}

function findRepositoryRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(directory, 'package.json')) && existsSync(join(directory, 'targets'))) return directory;
    const parent = dirname(directory);
    if (parent === directory) {
      throw new Error(`repository root not found above ${fileURLToPath(import.meta.url)}: no folder contains package.json and targets/`);
    }
    directory = parent;
  }
}

export const REPOSITORY_ROOT = findRepositoryRoot();
export const PLATFORM_DIR = join(REPOSITORY_ROOT, 'targets', 'cortex-m', 'platform');
export const PLATFORM_LINKER_SCRIPT = join(PLATFORM_DIR, 'mps2_an386.ld');

/** Returns the platform's C sources, which every firmware links. */
export function platformSources(): string[] {
  return ['startup.c', 'semihosting.c', 'format.c', 'systick.c', 'memory.c'].map((name) => join(PLATFORM_DIR, name));
}

export interface ToolchainStatus {
  available: boolean;
  /** Every missing or unusable piece, each naming its Debian package. */
  missing: MissingToolError[];
}

let cachedStatus: ToolchainStatus | undefined;

/** Describes why a probe run failed, in the words a user acts on. */
function describeProbeFailure(result: ReturnType<typeof spawnSync>): string {
  const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'not found on PATH';
  if (result.error) return `failed to run (${result.error.message})`;
  return `exited with status ${result.status}`;
}

/**
 * Detects arm-none-eabi-gcc with the newlib headers (stdint.h, string.h) and
 * qemu-system-arm with the mps2-an386 machine (present in QEMU 7.2). Runs three
 * short probes once per process and caches the result.
 */
export function toolchainAvailable(): ToolchainStatus {
  if (cachedStatus) return cachedStatus;
  const missing: MissingToolError[] = [];

  const gcc = spawnSync(GCC, ['--version'], { encoding: 'utf8' });
  if (gcc.error || gcc.status !== 0) {
    missing.push(new MissingToolError(GCC, 'gcc-arm-none-eabi', describeProbeFailure(gcc)));
  } else {
    const headers = spawnSync(GCC, [...CPU_FLAGS, '-E', '-x', 'c', '-', '-o', '/dev/null'], {
      input: '#include <stdint.h>\n#include <string.h>\n',
      encoding: 'utf8',
    });
    if (headers.status !== 0) {
      missing.push(new MissingToolError(NEWLIB_HEADERS, 'libnewlib-arm-none-eabi', `stdint.h or string.h not found: ${headers.stderr.trim()}`));
    }
  }

  const qemu = spawnSync(QEMU, ['-machine', 'help'], { encoding: 'utf8' });
  if (qemu.error || qemu.status !== 0) {
    missing.push(new MissingToolError(QEMU, 'qemu-system-arm', describeProbeFailure(qemu)));
  } else if (!new RegExp(`^${QEMU_MACHINE}\\s`, 'm').test(qemu.stdout)) {
    missing.push(new MissingToolError(QEMU, 'qemu-system-arm', `machine ${QEMU_MACHINE} not supported by this version; QEMU 7.2 provides it`));
  }

  cachedStatus = { available: missing.length === 0, missing };
  return cachedStatus;
}

/**
 * Returns the reason to skip QEMU tests, or false to run them. Without the
 * toolchain they are skipped, unless the CI environment variable is set, in
 * which case they run and fail with the MissingToolError.
 */
export function qemuTestSkipReason(): string | false {
  const status = toolchainAvailable();
  if (status.available || process.env.CI) return false;
  return `Cortex-M toolchain not installed: ${status.missing.map((error) => error.message).join('; ')}`;
}

/** Throws the MissingToolError of the first missing tool that `stage` needs. */
function requireTools(stage: 'build' | 'run'): void {
  const needed = stage === 'build' ? [GCC, NEWLIB_HEADERS] : [QEMU];
  const missing = toolchainAvailable().missing.find((error) => needed.includes(error.tool));
  if (missing) throw missing;
}

export interface BuildOptions {
  /** C sources of the firmware. The platform sources are added unless `platform` is false. */
  sources: string[];
  includeDirs: string[];
  /** Preprocessor macros, passed as -DNAME=VALUE. */
  defines?: Record<string, string>;
  /** Extra compiler flags, placed after the defaults so they override them (for example -Os). */
  cflags?: string[];
  /** Folder for the ELF and linker map files, created when missing. */
  outDir: string;
  /** ELF file name without extension, "firmware" by default. */
  name?: string;
  /** Whether to add the platform sources, include folder and linker script. Defaults to true. */
  platform?: boolean;
  /** Linker script, the platform's mps2_an386.ld by default. */
  linkerScript?: string;
}

const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Compiles and links a firmware in one arm-none-eabi-gcc call, with
 * -nostdlib and libgcc only (for 64-bit division), and returns the ELF path.
 * Throws MissingToolError without the toolchain, and an Error that contains
 * the compiler's output when the build fails.
 */
export async function buildFirmware(options: BuildOptions): Promise<string> {
  requireTools('build');
  if (options.sources.length === 0) throw new Error('buildFirmware: sources is empty; pass at least the file that defines main');
  const name = options.name ?? 'firmware';
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`buildFirmware: invalid name "${name}"; use letters, digits, "_", "." and "-"`);

  const usePlatform = options.platform ?? true;
  const defines = Object.entries(options.defines ?? {}).map(([key, value]) => {
    if (!C_IDENTIFIER.test(key)) throw new Error(`buildFirmware: invalid macro name "${key}"; expected a C identifier`);
    return `-D${key}=${value}`;
  });
  const includeDirs = usePlatform ? [PLATFORM_DIR, ...options.includeDirs] : options.includeDirs;
  const sources = usePlatform ? [...platformSources(), ...options.sources] : options.sources;
  const linkerScript = options.linkerScript ?? PLATFORM_LINKER_SCRIPT;

  mkdirSync(options.outDir, { recursive: true });
  const elfPath = resolve(options.outDir, `${name}.elf`);
  const args = [
    ...BASE_CFLAGS,
    ...(options.cflags ?? []),
    ...defines,
    ...includeDirs.map((directory) => `-I${directory}`),
    ...sources,
    '-nostdlib',
    `-T${linkerScript}`,
    '-Wl,--gc-sections',
    `-Wl,-Map=${resolve(options.outDir, `${name}.map`)}`,
    '-lgcc',
    '-o',
    elfPath,
  ];

  try {
    await execFileAsync(GCC, args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`${GCC} failed to build ${elfPath}:\n${failure.stderr?.trim() || failure.message}\ncommand: ${GCC} ${args.join(' ')}`);
  }
  return elfPath;
}

export interface RunOptions {
  /** Wall-clock limit in milliseconds, after which QEMU is killed with SIGKILL. */
  timeoutMs: number;
  /**
   * Runs with `-icount shift=0`: the virtual clock advances 1 ns per
   * instruction, so SysTick readings count instructions and repeat exactly.
   * Defaults to true.
   */
  icount?: boolean;
  /** Byte limit on each output stream, past which QEMU is killed. Defaults to 16 MiB. */
  maxOutputBytes?: number;
}

export interface RunResult {
  /** Everything the firmware wrote through semihosting. */
  stdout: string;
  /** QEMU's own diagnostics. */
  stderr: string;
  /**
   * The firmware's exit status (0 to 255). QEMU also exits with 1 when it
   * fails to start, and then stderr contains the reason.
   */
  exitCode: number;
}

/** Returns the qemu-system-arm arguments that runFirmware uses. */
export function qemuArguments(elfPath: string, icount: boolean): string[] {
  return [
    '-M',
    QEMU_MACHINE,
    '-nographic',
    // No UART and no monitor, so the semihosting console has stdio to itself.
    // Without a chardev, QEMU 7.2 writes semihosting output to stderr.
    '-serial',
    'none',
    '-monitor',
    'none',
    '-chardev',
    'stdio,id=semihosting,signal=off',
    '-semihosting-config',
    'enable=on,target=native,chardev=semihosting',
    ...(icount ? ['-icount', 'shift=0'] : []),
    '-kernel',
    elfPath,
  ];
}

/**
 * Runs a firmware on QEMU's mps2-an386 machine and resolves with its output
 * and exit status once QEMU exits. Rejects when QEMU times out, exceeds the
 * output limit or ends by a signal, and with MissingToolError without QEMU.
 */
export async function runFirmware(elfPath: string, options: RunOptions): Promise<RunResult> {
  requireTools('run');
  if (!existsSync(elfPath)) throw new Error(`runFirmware: ${elfPath} not found; build it with buildFirmware first`);
  const maxOutputBytes = options.maxOutputBytes ?? 16 * 1024 * 1024;
  const args = qemuArguments(elfPath, options.icount ?? true);

  return new Promise<RunResult>((resolvePromise, rejectPromise) => {
    const child = spawn(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
    let failure: Error | undefined;

    const stop = (error: Error) => {
      if (failure) return;
      failure = error;
      child.kill('SIGKILL');
    };
    const output = () => Buffer.concat(stdout).toString('utf8');

    const timer = setTimeout(() => {
      stop(new Error(`${QEMU} timed out after ${options.timeoutMs} ms running ${elfPath} and was killed; output so far:\n${output()}`));
    }, options.timeoutMs);

    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxOutputBytes) stop(new Error(`${elfPath} wrote more than ${maxOutputBytes} bytes; ${QEMU} was killed`));
      else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderrBytes += chunk.length;
      if (stderrBytes > maxOutputBytes) stop(new Error(`${QEMU} wrote more than ${maxOutputBytes} bytes to stderr running ${elfPath} and was killed`));
      else stderr.push(chunk);
    });

    child.on('error', (error) => {
      clearTimeout(timer);
      rejectPromise(new Error(`failed to start ${QEMU}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure) {
        rejectPromise(failure);
      } else if (code === null) {
        rejectPromise(new Error(`${QEMU} ended by signal ${signal} running ${elfPath}; stderr:\n${Buffer.concat(stderr).toString('utf8')}`));
      } else {
        resolvePromise({ stdout: output(), stderr: Buffer.concat(stderr).toString('utf8'), exitCode: code });
      }
    });
  });
}
