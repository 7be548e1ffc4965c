/**
 * Cortex-M conformance: the cortex-m target emits every golden file's model, and
 * the test builds it into bare-metal firmware for QEMU's mps2-an386 (Cortex-M4)
 * with the golden frames embedded. The firmware runs with the portable kernels
 * and with the DSP kernels at several optimization levels. The logits of every
 * computed frame, the spike step, class and confidence must equal the golden
 * vectors bit for bit. Streaming keeps calling step() after the spike, and the
 * frame counter, the unchanged state and the instruction count of those calls
 * show that nothing is computed after it.
 *
 * The emitted sources also compile with strict warnings for the Cortex-M4, in
 * both kernel builds and with clang where it can target Arm. The portable
 * kernels also run on the host under the address and undefined-behaviour
 * sanitizers, with the C target's conformance harness.
 *
 * Every golden file runs, the single-LSTM files of test/golden and the layer
 * stacks of test/golden/networks. Models of the blocked-layout family (one LSTM
 * layer with int8 weights and sigmoid gates, then dense softmax) run
 * rc_cortex_m.c in every build. The others are emitted as the C target's
 * sources and run with the portable and DSP builds' flags.
 *
 * Without arm-none-eabi-gcc, its newlib headers or qemu-system-arm the QEMU
 * tests are skipped, unless the CI environment variable is set: then they fail.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setLogLevel } from '../../common/log.js';
import { emitTargets } from '../../compiler/emit.js';
import { blockedKernelMismatch, LANES_S16, LANES_S8, packBlocked, supportedLayers } from '../../compiler/targets/cortex-m.js';
import { PACKAGE_ROOT } from '../../compiler/render.js';
import { buildReport } from '../../compiler/report.js';
import type { QModel } from '../../compiler/qmodel.js';
import { ReferenceSimulator } from '../../compiler/simulator.js';
import type { GoldenCase, GoldenFile } from '../golden/generate.js';
import { readGoldenFiles } from '../golden/golden-files.js';
import { GoldenRandom } from '../golden/random-model.js';
import { countDspInstructions, DSP_BUILD, formatInt8Array, type KernelBuild, PORTABLE_BUILD } from '../support/cortex-m-firmware.js';
import { buildFirmware, CPU_FLAGS, GCC, qemuTestSkipReason, runFirmware } from '../support/qemu.js';

const HARNESS_FOLDER = join(PACKAGE_ROOT, 'test', 'conformance', 'harness');
const FIRMWARE_HARNESS = join(HARNESS_FOLDER, 'cortex_m_harness.c');
const HOST_HARNESS = join(HARNESS_FOLDER, 'harness.c');
const STRICT_FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-Wconversion', '-Wsign-conversion', '-Wshadow'];
const EMITTED_SOURCES = ['golden_model.c', 'rc_runtime.c', 'rc_cortex_m.c'];
const EMITTED_FILES = [...EMITTED_SOURCES, 'golden_model.h', 'qmodel.json', 'rc_cortex_m.h', 'rc_runtime.h', 'report.json'];
/** The C target's sources, which the cortex-m target emits for models outside the blocked-layout family. */
const C_TARGET_SOURCES = ['golden_model.c', 'rc_runtime.c', 'rc_layers.c', 'rc_lstm.c', 'rc_gru.c'];
const C_TARGET_FILES = [...C_TARGET_SOURCES, 'golden_model.h', 'qmodel.json', 'rc_layers.h', 'rc_runtime.h', 'report.json'];
const QEMU_TIMEOUT_MS = 60_000;
/**
 * A step() call that returns a held spike only checks its arguments and copies
 * the result. So it must cost at most this fraction of a computed frame, even on
 * the smallest golden model (6 inputs, 5 units) and at -O0.
 */
const HELD_CALL_COST_FRACTION_MAX = 0.1;

const BUILDS: KernelBuild[] = [
  PORTABLE_BUILD,
  DSP_BUILD,
  { name: 'dsp -O0', kernels: 'dsp', defines: {}, cflags: ['-O0'] },
  { name: 'dsp -Os', kernels: 'dsp', defines: {}, cflags: ['-Os'] },
];

/** The builds of a model emitted as the C target's sources: the same flags as the portable and DSP builds of rc_cortex_m.c. */
const C_TARGET_BUILDS: KernelBuild[] = [PORTABLE_BUILD, DSP_BUILD];


/** Runs the reference simulator on each frame sequence and records it as a golden case. */
function simulateCases(qmodel: QModel, sequences: { name: string; frames: number[][] }[]): GoldenCase[] {
  const simulator = new ReferenceSimulator(qmodel);
  return sequences.map(({ name, frames }) => {
    simulator.reset();
    const logits: number[][] = [];
    let result = { spiked: false, classIndex: 0, step: 0, confidence: 0 };
    for (const frame of frames) {
      result = simulator.step(frame);
      logits.push(Array.from(simulator.logits));
      if (result.spiked) break;
    }
    return { name, frames, logits, ...result, framesComputed: simulator.framesComputed };
  });
}

/**
 * Builds a model for the requantization and tail paths of the kernels rather
 * than for classification. It has 7 inputs and 17 units (neither a multiple of
 * 4) and 62 classes (15 blocks of 4 and 2 left-over rows). Its kernel, recurrent
 * and dense shifts cover every value from 1 to 62. Some multipliers and rows are
 * zero, biases reach the int32 limits and weights differ widely in size, so gate
 * sums and logits reach the saturation limits as well as the middle. The spike
 * bound 0 keeps every frame computed.
 */
function requantizationStress(): GoldenFile {
  const random = new GoldenRandom(1234);
  const inputSize = 7;
  const units = 17;
  const classes = 62;
  const rows = 4 * units;
  const shifts = (count: number, offset: number) => Array.from({ length: count }, (_, r) => ((r * offset) % 62) + 1);
  const mults = (count: number) => Array.from({ length: count }, () => (random.nextFloat() < 0.1 ? 0 : random.nextInt(2 ** 14, 2 ** 15 - 1)));
  const weights = (count: number, columns: number) =>
    Array.from({ length: count }, () => {
      const limit = [0, 1, 7, 40, 127][random.nextInt(0, 4)];
      return Array.from({ length: columns }, () => random.nextInt(-limit, limit) + 0);
    }).flat();
  const biases = (count: number) =>
    Array.from({ length: count }, () => {
      const magnitude = [0, 2 ** 12, 2 ** 20, 2 ** 31 - 1][random.nextInt(0, 3)];
      return random.nextInt(-magnitude, magnitude) + 0;
    });

  const qmodel: QModel = {
    format: 'rankcode-qmodel',
    version: 2,
    name: 'requantization stress',
    sourceHash: '0'.repeat(64),
    inputSize,
    frames: 0,
    inputScale: 1 / 127,
    threshold: 0.95,
    spikeBound: 0,
    labels: Array.from({ length: classes }, (_, k) => `class ${k}`),
    layers: [
      {
        kind: 'lstm',
        name: 'lstm',
        inputSize,
        units,
        weightBits: 8,
        kernel: weights(rows, inputSize),
        kernelRequant: { mult: mults(rows), shift: shifts(rows, 1) },
        recurrentKernel: weights(rows, units),
        recurrentRequant: { mult: mults(rows), shift: shifts(rows, 7) },
        bias: biases(rows),
        recurrentActivation: 'sigmoid',
      },
      {
        kind: 'dense',
        name: 'dense',
        inputSize: units,
        units: classes,
        weightBits: 8,
        kernel: weights(classes, units),
        requant: { mult: mults(classes), shift: shifts(classes, 1) },
        bias: biases(classes),
        activation: 'softmax',
        outputFracBits: 12,
      },
    ],
  };

  const frames = (count: number, limit: number) =>
    Array.from({ length: count }, () => Array.from({ length: inputSize }, () => random.nextInt(-limit - 1, limit)));
  const cases = simulateCases(qmodel, [
    { name: 'full-int8-range', frames: frames(40, 127) },
    { name: 'small-values', frames: frames(40, 3) },
  ]);
  return { format: 'rankcode-golden', version: 1, description: 'requantization stress model', qmodel, cases };
}

/** Tells whether the cortex-m target emits a model in the blocked layout with rc_cortex_m.c. */
function isBlocked(golden: GoldenFile): boolean {
  return blockedKernelMismatch(golden.qmodel) === undefined;
}

/** Returns every golden file and the generated stress model, each with a name for folders and test titles. */
function conformanceModels(): { file: string; golden: GoldenFile }[] {
  return [...readGoldenFiles({ networks: true }), { file: 'requantization-stress', golden: requantizationStress() }];
}

/** The number of golden files of the single-LSTM int8 family when this test was written. */
const BLOCKED_GOLDEN_FILES_MIN = 4;
/** The number of golden files outside that family (stacks, GRU, hidden dense, int16, hard sigmoid) when this test was written. */
const C_TARGET_GOLDEN_FILES_MIN = 10;

/** Writes golden_cases.h: the frames of every case as const arrays and a table of the cases. */
function writeCasesHeader(folder: string, cases: GoldenCase[]): void {
  const arrays = cases.map((goldenCase, index) => formatInt8Array(`golden_case_${index}_frames`, goldenCase.frames.flat()));
  const table = cases.map((goldenCase, index) => `  { golden_case_${index}_frames, ${goldenCase.frames.length}u }`);
  const header = [
    '/* Frames of the golden cases, generated by test/conformance/cortex-m.test.ts. */',
    '#ifndef GOLDEN_CASES_H',
    '#define GOLDEN_CASES_H',
    '',
    '#include <stdint.h>',
    '',
    'typedef struct {',
    '  const int8_t *frames; /* frame_count frames of GOLDEN_INPUT_SIZE values, one after another */',
    '  uint32_t frame_count;',
    '} golden_case;',
    '',
    ...arrays,
    `#define GOLDEN_CASE_COUNT ${cases.length}u`,
    '',
    `static const golden_case golden_cases[GOLDEN_CASE_COUNT] = {\n${table.join(',\n')}\n};`,
    '',
    '#endif',
    '',
  ].join('\n');
  writeFileSync(join(folder, 'golden_cases.h'), header);
}

interface CaseOutput {
  frames: number[][];
  lines: Map<string, number[]>;
}

interface FirmwareOutput {
  kernels: string;
  stateBytes: number;
  cases: CaseOutput[];
  done: boolean;
}

function parseFirmwareOutput(stdout: string): FirmwareOutput {
  const output: FirmwareOutput = { kernels: '', stateBytes: -1, cases: [], done: false };
  for (const line of stdout.trim().split('\n')) {
    const [label, ...fields] = line.split(' ');
    const current = output.cases[output.cases.length - 1];
    if (label === 'kernels') output.kernels = fields[0];
    else if (label === 'state_bytes') output.stateBytes = Number(fields[0]);
    else if (label === 'case') output.cases.push({ frames: [], lines: new Map() });
    else if (label === 'done') output.done = true;
    else if (label === 'frame') current.frames.push(fields.slice(1).map(Number));
    else current.lines.set(label, fields.map(Number));
  }
  return output;
}

function expectedResult(golden: GoldenCase): number[] {
  return [Number(golden.spiked), golden.classIndex, golden.step, golden.confidence, golden.framesComputed];
}

function hasCommand(command: string, args: string[] = ['--version']): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/** Skips a test that needs `command` when it is missing, unless the CI environment variable is set: then it runs and fails. */
function skipWithout(command: string): string | false {
  return hasCommand(command) || process.env.CI ? false : `${command} not found on PATH`;
}

const workFolder = mkdtempSync(join(tmpdir(), 'rankcode-cortex-m-conformance-'));
after(() => rmSync(workFolder, { recursive: true, force: true }));
setLogLevel('warn');

/** Emits a golden file's model with the prefix "golden" into a fresh folder and returns the folder. */
async function emitGolden(name: string, golden: GoldenFile): Promise<string> {
  const folder = join(workFolder, name);
  await emitTargets(golden.qmodel, buildReport(golden.qmodel), { targets: ['cortex-m'], outDir: folder, force: false, prefix: 'golden' });
  return folder;
}

describe('Cortex-M target on QEMU mps2-an386', { skip: qemuTestSkipReason() }, () => {
  for (const { file, golden } of conformanceModels()) {
    describe(file, () => {
      const name = file.replace(/\.json$/, '').replace('/', '-');
      const report = buildReport(golden.qmodel);
      const blocked = isBlocked(golden);
      const sources = blocked ? EMITTED_SOURCES : C_TARGET_SOURCES;
      let folder = '';

      it('emits the model', async () => {
        folder = await emitGolden(name, golden);
        assert.deepEqual(readdirSync(folder).sort(), [...(blocked ? EMITTED_FILES : C_TARGET_FILES)].sort());
        writeCasesHeader(folder, golden.cases);
      });

      for (const build of blocked ? BUILDS : C_TARGET_BUILDS) {
        it(`matches golden vectors (${build.name})`, async () => {
          assert.ok(folder !== '', 'the model was emitted');
          const elf = await buildFirmware({
            sources: [FIRMWARE_HARNESS, ...sources.map((source) => join(folder, source))],
            includeDirs: [folder],
            defines: build.defines,
            cflags: build.cflags,
            outDir: join(folder, 'firmware'),
            name: build.name.replace(/[^a-z0-9]+/gi, '-'),
          });
          const dsp = await countDspInstructions(elf);
          // The C layer kernels are plain C, so their instruction mix is the compiler's choice and is not checked.
          if (blocked && build.kernels === 'dsp') assert.ok(dsp.smlad > 0 && dsp.sxtb16 > 0, `the DSP build contains SMLAD and SXTB16 (${JSON.stringify(dsp)})`);
          if (blocked && build.kernels === 'portable') assert.deepEqual(dsp, { smlad: 0, sxtb16: 0 }, 'the portable build contains no SMLAD or SXTB16');

          const result = await runFirmware(elf, { timeoutMs: QEMU_TIMEOUT_MS });
          assert.equal(result.exitCode, 0, `firmware exited with ${result.exitCode}:\n${result.stdout}\n${result.stderr}`);
          const output = parseFirmwareOutput(result.stdout);
          assert.ok(output.done, `the firmware ran every case:\n${result.stdout}`);
          assert.equal(output.kernels, blocked ? build.kernels : 'rc_layers', 'the firmware names the kernels of the build');
          assert.equal(output.stateBytes, report.ramBytes.total, 'sizeof the state struct equals the reported RAM bytes');
          assert.equal(output.cases.length, golden.cases.length, 'one output block per golden case');

          golden.cases.forEach((goldenCase, index) => {
            const caseOutput = output.cases[index];
            const stream = caseOutput.lines.get('stream');
            assert.deepEqual(caseOutput.frames, goldenCase.logits, `logits of case ${goldenCase.name}`);
            assert.deepEqual(stream?.slice(0, 5), expectedResult(goldenCase), `streamed result of case ${goldenCase.name}`);
            assert.equal(stream?.[5], goldenCase.frames.length, `step() was called on every frame of case ${goldenCase.name}`);
            assert.deepEqual(caseOutput.lines.get('run'), expectedResult(goldenCase), `batch result of case ${goldenCase.name}`);
            assert.deepEqual(caseOutput.lines.get('errors'), [-1, -1, -2, -2, 0], `error codes of case ${goldenCase.name}`);

            const [unchanged, heldInstructions, computingInstructions] = caseOutput.lines.get('after_spike') ?? [];
            const heldCalls = goldenCase.frames.length - goldenCase.framesComputed;
            const perHeldCall = heldCalls > 0 ? heldInstructions / heldCalls : 0;
            const perFrame = computingInstructions / goldenCase.framesComputed;
            assert.equal(unchanged, 1, `the state does not change after the spike of case ${goldenCase.name}`);
            assert.ok(
              perHeldCall <= HELD_CALL_COST_FRACTION_MAX * perFrame,
              `case ${goldenCase.name}: a step() call after the spike took ${perHeldCall} instructions, a computed frame ${perFrame}`,
            );
          });
        });
      }
    });
  }

  it('covers both emission routes', () => {
    const goldenFiles = readGoldenFiles({ networks: true });
    const blocked = goldenFiles.filter(({ golden }) => isBlocked(golden));
    assert.ok(blocked.length >= BLOCKED_GOLDEN_FILES_MIN, `${blocked.length} golden files have one LSTM layer with int8 weights and sigmoid gates`);
    assert.ok(goldenFiles.length - blocked.length >= C_TARGET_GOLDEN_FILES_MIN, `${goldenFiles.length - blocked.length} golden files take the C target's sources`);
  });

  it('golden cases include spikes before the last frame', () => {
    const spiking = conformanceModels()
      .flatMap(({ golden }) => golden.cases)
      .filter((goldenCase) => goldenCase.spiked);
    assert.ok(spiking.some((goldenCase) => goldenCase.step < goldenCase.frames.length), 'some case spikes before its last frame');
    for (const goldenCase of spiking) assert.equal(goldenCase.framesComputed, goldenCase.step, `frames computed in case ${goldenCase.name}`);
  });
});

describe('Cortex-M blocked weight layout', () => {
  /** Reads weight (row, column) back from packed words with the index formula of rc_cortex_m.h. */
  function unpack(words: Int32Array, rows: number, columns: number, lanes: readonly number[], row: number, column: number): number {
    const groups = Math.ceil(columns / 4);
    const blocks = Math.floor(rows / 4);
    const group = Math.floor(column / 4);
    const index = row < 4 * blocks ? (Math.floor(row / 4) * groups + group) * 4 + (row % 4) : 4 * blocks * groups + (row - 4 * blocks) * groups + group;
    const byte = lanes.indexOf(column % 4);
    return ((words[index] >> (8 * byte)) << 24) >> 24;
  }

  it('stores every weight where the header says', () => {
    const random = new GoldenRandom(5);
    for (const [rows, columns] of [[4, 4], [8, 7], [62, 17], [3, 5], [1, 1], [12, 40]]) {
      const values = Array.from({ length: rows * columns }, () => random.nextInt(-128, 127));
      for (const lanes of [LANES_S8, LANES_S16]) {
        const words = packBlocked(values, rows, columns, lanes);
        assert.equal(words.length, rows * Math.ceil(columns / 4), `${rows} x ${columns}: words`);
        for (let row = 0; row < rows; row++) {
          for (let column = 0; column < columns; column++) {
            assert.equal(unpack(words, rows, columns, lanes, row, column), values[row * columns + column], `${rows} x ${columns} (${lanes.join('')}): row ${row} column ${column}`);
          }
        }
      }
    }
  });

  it('pads the last group with zeros', () => {
    const words = packBlocked([1, 2, 3, 4, 5], 1, 5, LANES_S8);
    assert.deepEqual(Array.from(words), [0x04030201, 0x00000005]);
  });
});

describe('Cortex-M target model checks', () => {
  const golden = readGoldenFiles({ networks: true }).find(({ file }) => file === 'small.json')?.golden;
  assert.ok(golden, 'test/golden/small.json exists');
  const [lstm, dense] = golden.qmodel.layers;

  it('accepts one LSTM and a dense softmax layer', () => {
    assert.equal(supportedLayers(golden.qmodel).lstm.units, lstm.kind === 'lstm' ? lstm.units : -1);
  });

  it('accepts one LSTM and a dense sigmoid output layer', () => {
    for (const file of ['sigmoid-binary.json', 'sigmoid-per-class.json']) {
      const sigmoid = readGoldenFiles({ networks: false }).find((entry) => entry.file === file)?.golden;
      assert.ok(sigmoid, `test/golden/${file} exists`);
      assert.equal(blockedKernelMismatch(sigmoid.qmodel), undefined, file);
    }
  });

  it('blocked layout rejects other layer structures', () => {
    const stacked = { ...golden.qmodel, layers: [lstm, lstm, dense] };
    assert.equal(blockedKernelMismatch(stacked), 'the layers lstm, lstm, dense');
    assert.throws(
      () => supportedLayers(stacked),
      /followed by the dense softmax or sigmoid output layer, but model "[^"]+" has the layers lstm, lstm, dense\. Compile it with --target cortex-m or --target c/,
    );
    const hiddenSigmoid = { ...golden.qmodel, layers: [lstm, { ...dense, activation: 'sigmoid' }, dense] } as QModel;
    assert.equal(blockedKernelMismatch(hiddenSigmoid), 'the layers lstm, dense, dense');
  });

  it('blocked layout rejects hard sigmoid and int16', () => {
    const hard = { ...golden.qmodel, layers: [{ ...lstm, recurrentActivation: 'hard_sigmoid_keras2' }, dense] } as QModel;
    assert.equal(blockedKernelMismatch(hard), 'recurrent activation hard_sigmoid_keras2');
    assert.throws(() => supportedLayers(hard), /but model "[^"]+" has recurrent activation hard_sigmoid_keras2\./);
    const wide = { ...golden.qmodel, layers: [{ ...lstm, weightBits: 16 }, dense] } as QModel;
    assert.equal(blockedKernelMismatch(wide), 'weights wider than int8');
    assert.throws(() => supportedLayers(wide), /has weights wider than int8/);
  });

  it('emits the C target sources for other models', async () => {
    const others = readGoldenFiles({ networks: true }).filter(({ golden: candidate }) => !isBlocked(candidate));
    assert.ok(others.length >= C_TARGET_GOLDEN_FILES_MIN, `${others.length} golden files are outside the blocked-layout family`);
    for (const { file, golden: other } of others) {
      const name = file.replace(/\.json$/, '').replace('/', '-');
      const cortexFolder = join(workFolder, `fallback-cortex-m-${name}`);
      const cFolder = join(workFolder, `fallback-c-${name}`);
      const report = buildReport(other.qmodel);
      await emitTargets(other.qmodel, report, { targets: ['cortex-m'], outDir: cortexFolder, force: false, prefix: 'golden' });
      await emitTargets(other.qmodel, report, { targets: ['c'], outDir: cFolder, force: false, prefix: 'golden' });
      assert.deepEqual(readdirSync(cortexFolder).sort(), [...C_TARGET_FILES].sort(), `files emitted for ${file}`);
      for (const source of [...C_TARGET_SOURCES, 'golden_model.h', 'rc_layers.h', 'rc_runtime.h']) {
        assert.equal(readFileSync(join(cortexFolder, source), 'utf8'), readFileSync(join(cFolder, source), 'utf8'), `${source} of ${file} equals the C target's`);
      }
    }
  });
});

describe('Cortex-M target sources', () => {
  const armGccSkip = skipWithout(GCC);
  const clangSkip = hasCommand('clang') ? armGccSkip : 'clang not found on PATH';
  const golden = readGoldenFiles({ networks: true }).find(({ file }) => file === 'wide.json')?.golden;
  assert.ok(golden, 'test/golden/wide.json exists');
  let folder = '';

  it('emits the wide golden model', async () => {
    folder = await emitGolden('strict', golden);
    assert.ok(readdirSync(folder).includes('rc_cortex_m.c'));
  });

  const compilers = [
    { name: 'arm-none-eabi-gcc dsp', command: GCC, flags: [...CPU_FLAGS, '-O2'], skip: armGccSkip },
    { name: 'arm-none-eabi-gcc portable', command: GCC, flags: [...CPU_FLAGS, '-O2', '-DRC_DISABLE_DSP'], skip: armGccSkip },
    // clang is optional. It finds the newlib headers in arm-none-eabi-gcc's include folder.
    { name: 'clang dsp', command: 'clang', flags: ['--target=arm-none-eabi', ...CPU_FLAGS, '-O2', '-isystem', '/usr/lib/arm-none-eabi/include'], skip: clangSkip },
  ];
  for (const compiler of compilers) {
    it(`compiles warning-free for Cortex-M4 (${compiler.name})`, { skip: compiler.skip }, () => {
      for (const source of EMITTED_SOURCES) {
        const object = join(folder, `${source}.${compiler.name.replace(/\W+/g, '-')}.o`);
        const args = [...STRICT_FLAGS, ...compiler.flags, '-c', join(folder, source), '-o', object];
        const compile = spawnSync(compiler.command, args, { encoding: 'utf8' });
        assert.equal(compile.status, 0, `${compiler.name} failed on ${source}:\n${compile.stderr}`);
      }
    });
  }

  it('portable kernels match golden vectors on the host with sanitizers', { skip: hasCommand('gcc') ? false : 'gcc not found on PATH' }, async () => {
    // The other models are emitted as the C target's sources, which test/conformance/c.test.ts runs under the sanitizers.
    for (const { file, golden: goldenFile } of conformanceModels().filter(({ golden: candidate }) => isBlocked(candidate))) {
      const hostFolder = await emitGolden(`host-${file.replace(/\.json$/, '')}`, goldenFile);
      const binary = join(hostFolder, 'harness');
      const sources = [HOST_HARNESS, ...EMITTED_SOURCES.map((source) => join(hostFolder, source))];
      const flags = ['-O1', '-g', '-fsanitize=undefined,address', '-fno-sanitize-recover=all'];
      const compile = spawnSync('gcc', [...STRICT_FLAGS, ...flags, `-I${hostFolder}`, ...sources, '-o', binary], { encoding: 'utf8' });
      assert.equal(compile.status, 0, `gcc failed:\n${compile.stderr}`);
      for (const goldenCase of goldenFile.cases) {
        const input = `${goldenCase.frames.length} ${goldenCase.frames[0].length}\n${goldenCase.frames.map((frame) => frame.join(' ')).join('\n')}\n`;
        const run = spawnSync(binary, [], { input, encoding: 'utf8' });
        assert.equal(run.status, 0, `harness failed on ${file} case ${goldenCase.name}:\n${run.stderr}`);
        const frames = run.stdout
          .split('\n')
          .filter((line) => line.startsWith('frame '))
          .map((line) => line.split(' ').slice(2).map(Number));
        const stream = run.stdout.split('\n').find((line) => line.startsWith('stream '));
        assert.deepEqual(frames, goldenCase.logits, `logits of ${file} case ${goldenCase.name}`);
        assert.equal(stream, `stream ${expectedResult(goldenCase).join(' ')}`, `streamed result of ${file} case ${goldenCase.name}`);
      }
    }
  });
});
