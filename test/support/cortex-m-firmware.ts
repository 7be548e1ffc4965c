/**
 * Helpers for firmware that runs models of the cortex-m target on QEMU: the
 * kernel builds to compare, C headers with embedded int8 data, and a count of
 * the DSP instructions in a linked ELF. That count shows whether the DSP
 * kernels of rc_cortex_m.c were compiled in.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { formatArrayBody } from '../../compiler/c-syntax.js';

const execFileAsync = promisify(execFile);

export const OBJDUMP = 'arm-none-eabi-objdump';

/** A way to compile rc_cortex_m.c for the Cortex-M4: the kernels it selects and the flags that select them. */
export interface KernelBuild {
  /** Label for test names and output lines. */
  name: string;
  /** The value of rc_cm_kernels that the build must print. */
  kernels: 'dsp' | 'portable';
  /** Preprocessor macros for buildFirmware. */
  defines: Record<string, string>;
  /** Extra compiler flags, after the platform defaults (-O2). */
  cflags: string[];
}

/**
 * The Cortex-M4 defines __ARM_FEATURE_DSP, so the default build uses the DSP
 * kernels; RC_DISABLE_DSP selects the portable kernels on the same core.
 */
export const PORTABLE_BUILD: KernelBuild = { name: 'portable -O2', kernels: 'portable', defines: { RC_DISABLE_DSP: '1' }, cflags: [] };
export const DSP_BUILD: KernelBuild = { name: 'dsp -O2', kernels: 'dsp', defines: {}, cflags: [] };

/** Formats int8 values as a `static const int8_t` array definition. */
export function formatInt8Array(name: string, values: ArrayLike<number>): string {
  return `static const int8_t ${name}[${Math.max(values.length, 1)}u] = {\n${values.length > 0 ? formatArrayBody(values, 24) : '  0'}\n};\n`;
}

/** Returns the mnemonic of every instruction in the disassembly of an ELF file. */
export async function disassembleMnemonics(elfPath: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(OBJDUMP, ['-d', '--no-show-raw-insn', elfPath], { maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    throw new Error(`${OBJDUMP} failed on ${elfPath}: ${(error as Error).message}. It comes with gcc-arm-none-eabi (binutils-arm-none-eabi).`);
  }
  const mnemonics: string[] = [];
  // Instruction lines read "   address:\tmnemonic\toperands".
  for (const line of stdout.split('\n')) {
    const match = /^\s*[0-9a-f]+:\t(\S+)/.exec(line);
    if (match) mnemonics.push(match[1]);
  }
  return mnemonics;
}

/** Counts the SMLAD and SXTB16 instructions of an ELF file. */
export async function countDspInstructions(elfPath: string): Promise<{ smlad: number; sxtb16: number }> {
  const mnemonics = await disassembleMnemonics(elfPath);
  return {
    smlad: mnemonics.filter((mnemonic) => mnemonic === 'smlad').length,
    sxtb16: mnemonics.filter((mnemonic) => mnemonic === 'sxtb16').length,
  };
}
