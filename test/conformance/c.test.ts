/**
 * C conformance: every golden file's model is emitted by the C target, built with
 * the host C compilers, gcc and clang, at -O0 and -O2 and with the
 * undefined-behaviour and address sanitizers, and run on every golden case. The
 * logits of every computed frame, the spike step, class and confidence must equal
 * the golden vectors bit for bit, and no frame may be computed after the spike.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setLogLevel } from '../../common/log.js';
import { emitTargets } from '../../compiler/emit.js';
import { PACKAGE_ROOT } from '../../compiler/render.js';
import { buildReport } from '../../compiler/report.js';
import type { GoldenCase } from '../golden/generate.js';
import { readGoldenFiles } from '../golden/golden-files.js';

const WARNING_FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-Wconversion', '-Wsign-conversion', '-Wshadow'];
const HARNESS = join(PACKAGE_ROOT, 'test', 'conformance', 'harness', 'harness.c');
/** The C files that the C target emits for a model with the prefix "golden". */
const C_SOURCES = ['golden_model.c', 'rc_runtime.c', 'rc_layers.c', 'rc_lstm.c', 'rc_gru.c'];
const C_OUTPUT_FILES = [...C_SOURCES, 'golden_model.h', 'rc_runtime.h', 'rc_layers.h', 'qmodel.json', 'report.json'];

interface Build {
  name: string;
  compiler: string;
  flags: string[];
  /** The reason to skip the build, or false to run it. */
  skip?: string | false;
}

function hasCommand(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

const SANITIZER_FLAGS = ['-O1', '-g', '-fsanitize=undefined,address', '-fno-sanitize-recover=all'];

/**
 * Tells whether clang links a program with the address and undefined-behaviour
 * sanitizers. Debian ships clang's sanitizer runtime separately: in bookworm
 * libclang-rt-dev, which depends on libclang-rt-14-dev for the default clang 14.
 */
function clangLinksSanitizers(): boolean {
  const folder = mkdtempSync(join(tmpdir(), 'rankcode-clang-sanitizers-'));
  try {
    const source = join(folder, 'probe.c');
    writeFileSync(source, 'int main(void) { return 0; }\n');
    return spawnSync('clang', [...SANITIZER_FLAGS, source, '-o', join(folder, 'probe')], { stdio: 'ignore' }).status === 0;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const HAS_GCC = hasCommand('gcc');
const HAS_CLANG = hasCommand('clang');
// With the CI environment variable set, a missing sanitizer runtime fails the build instead of skipping it.
const CLANG_SANITIZERS_SKIP: string | false =
  !HAS_CLANG || process.env.CI !== undefined || clangLinksSanitizers() ? false : 'clang fails to link -fsanitize=address,undefined; install libclang-rt-dev (Debian), which matches the default clang';
const BUILDS: Build[] = [
  { name: 'gcc -O0', compiler: 'gcc', flags: ['-O0'] },
  { name: 'gcc -O2', compiler: 'gcc', flags: ['-O2'] },
  { name: 'gcc sanitizers', compiler: 'gcc', flags: SANITIZER_FLAGS },
  ...(HAS_CLANG ? [{ name: 'clang -O0', compiler: 'clang', flags: ['-O0'] }, { name: 'clang -O2', compiler: 'clang', flags: ['-O2'] }] : []),
  ...(HAS_CLANG ? [{ name: 'clang sanitizers', compiler: 'clang', flags: SANITIZER_FLAGS, skip: CLANG_SANITIZERS_SKIP }] : []),
];

function harnessInput(frames: number[][]): string {
  return `${frames.length} ${frames[0].length}\n${frames.map((frame) => frame.join(' ')).join('\n')}\n`;
}

interface HarnessOutput {
  stateBytes: number;
  frames: number[][];
  lines: Map<string, number[]>;
}

function parseOutput(stdout: string): HarnessOutput {
  const output: HarnessOutput = { stateBytes: -1, frames: [], lines: new Map() };
  for (const line of stdout.trim().split('\n')) {
    const [label, ...fields] = line.split(' ');
    const values = fields.map(Number);
    if (label === 'frame') output.frames.push(values.slice(1));
    else if (label === 'state_bytes') output.stateBytes = values[0];
    else output.lines.set(label, values);
  }
  return output;
}

function expectedResult(golden: GoldenCase): number[] {
  return [Number(golden.spiked), golden.classIndex, golden.step, golden.confidence, golden.framesComputed];
}

const workFolder = mkdtempSync(join(tmpdir(), 'rankcode-c-conformance-'));
after(() => rmSync(workFolder, { recursive: true, force: true }));
setLogLevel('warn');

describe('C target conformance', { skip: HAS_GCC ? false : 'gcc not found on PATH; install gcc to run the C conformance tests' }, () => {
  for (const { file, golden } of readGoldenFiles({ networks: true })) {
    describe(file, () => {
      const folder = join(workFolder, file.replace(/\.json$/, '').replace('/', '-'));
      const report = buildReport(golden.qmodel);

      it('emits the model', async () => {
        const emitted = await emitTargets(golden.qmodel, report, { targets: ['c'], outDir: folder, force: false, prefix: 'golden' });
        assert.deepEqual(emitted[0].files.sort(), [...C_OUTPUT_FILES].sort());
      });

      for (const build of BUILDS) {
        it(`matches golden vectors (${build.name})`, { skip: build.skip ?? false }, () => {
          const binary = join(folder, `harness-${build.name.replace(/[^a-z0-9]+/gi, '-')}`);
          const sources = [HARNESS, ...C_SOURCES.map((name) => join(folder, name))];
          const compile = spawnSync(build.compiler, [...WARNING_FLAGS, ...build.flags, `-I${folder}`, ...sources, '-o', binary], {
            encoding: 'utf8',
          });
          assert.equal(compile.status, 0, `${build.name} failed:\n${compile.stderr}`);

          for (const goldenCase of golden.cases) {
            const run = spawnSync(binary, [], { input: harnessInput(goldenCase.frames), encoding: 'utf8' });
            assert.equal(run.status, 0, `harness failed on case ${goldenCase.name}:\n${run.stderr}`);
            const output = parseOutput(run.stdout);
            assert.deepEqual(output.frames, goldenCase.logits, `logits of case ${goldenCase.name}`);
            assert.deepEqual(output.lines.get('stream'), expectedResult(goldenCase), `streamed result of case ${goldenCase.name}`);
            assert.deepEqual(output.lines.get('run'), expectedResult(goldenCase), `batch result of case ${goldenCase.name}`);
            assert.deepEqual(output.lines.get('errors'), [-1, -1, -2, -2, 0], `error codes of case ${goldenCase.name}`);
            assert.equal(output.stateBytes, report.ramBytes.total, 'sizeof the state struct equals the reported RAM bytes');
          }
        });
      }
    });
  }

  it('golden cases stop computing at the spike', () => {
    const cases = readGoldenFiles({ networks: true }).flatMap(({ golden }) => golden.cases);
    const spiking = cases.filter((goldenCase) => goldenCase.spiked);
    assert.ok(spiking.some((goldenCase) => goldenCase.step < goldenCase.frames.length), 'some case spikes before its last frame');
    for (const goldenCase of spiking) assert.equal(goldenCase.framesComputed, goldenCase.step);
  });
});

describe('C target for Cortex-M4', { skip: hasCommand('arm-none-eabi-gcc') ? false : 'arm-none-eabi-gcc not found on PATH' }, () => {
  it('compiles warning-free', async () => {
    const { golden } = readGoldenFiles({ networks: true })[0];
    const folder = join(workFolder, 'cortex-m4');
    await emitTargets(golden.qmodel, buildReport(golden.qmodel), { targets: ['c'], outDir: folder, force: false, prefix: 'golden' });
    for (const source of C_SOURCES) {
      const args = [...WARNING_FLAGS, '-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=soft', '-O2', '-c', join(folder, source), '-o', join(folder, `${source}.o`)];
      const compile = spawnSync('arm-none-eabi-gcc', args, { encoding: 'utf8' });
      assert.equal(compile.status, 0, `arm-none-eabi-gcc failed on ${source}:\n${compile.stderr}`);
    }
  });
});
