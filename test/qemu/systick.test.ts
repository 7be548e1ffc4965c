// Checks the SysTick tick counter on QEMU's mps2-an386 with -icount shift=0:
// readings of loops with known instruction counts must repeat exactly between
// runs and match 40 instructions per tick within one tick of resolution.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFirmware, INSTRUCTIONS_PER_TICK, qemuTestSkipReason, REPOSITORY_ROOT, runFirmware } from '../support/qemu.js';

const FIRMWARE_SOURCE = join(REPOSITORY_ROOT, 'test', 'qemu', 'firmware', 'systick_measure.c');
const TIMEOUT_MS = 20_000;
const LOOP_ITERATIONS = [250_000, 1_000_000, 5_000_000];

/** Reference clock of QEMU's mps2 machines: 1 MHz, so 1000 instructions per tick at 1 ns each. */
const REFERENCE_INSTRUCTIONS_PER_TICK = 1000;

/**
 * Upper bound on the instructions one SysTick exception adds to a reading.
 * The handler runs 5 instructions, and QEMU charges nothing for exception
 * entry and return (measured with reload 99: a loop of 10 M instructions takes 2500 exceptions
 * and reads 313 or 314 ticks above 250 000).
 */
const EXCEPTION_INSTRUCTIONS_MAX = 16;

/** Parses lines of "key value value ..." into a map. */
function parseReadings(stdout: string): Map<string, string[]> {
  const readings = new Map<string, string[]>();
  for (const line of stdout.trim().split('\n')) {
    const [key, ...values] = line.split(' ');
    readings.set(key, values);
  }
  return readings;
}

function numbersOf(readings: Map<string, string[]>, key: string): number[] {
  const values = readings.get(key);
  assert.ok(values, `firmware output has no "${key}" line`);
  assert.ok(values.length > 0, `"${key}" line has no values`);
  return values.map((text) => {
    const value = Number(text);
    assert.ok(Number.isSafeInteger(value), `"${key}" value ${text} is not an integer`);
    assert.ok(value >= 0, `"${key}" value ${text} is negative`);
    return value;
  });
}

/** Counts the loop instructions: movw and movt, then subs and bne per iteration. */
function loopInstructions(iterations: number): number {
  return 2 * iterations + 2;
}

describe('SysTick tick counter', { skip: qemuTestSkipReason() }, () => {
  let outDir = '';

  before(() => {
    outDir = mkdtempSync(join(tmpdir(), 'rankcode-qemu-systick-'));
  });

  after(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  // 0xFFFFFF is the default and wraps every 671 M instructions, beyond these
  // loops. 9999 and 99 wrap every 400 000 and 4000 instructions, so the
  // readings cross many reloads and exercise the wraparound handling.
  for (const reload of [0xffffff, 9999, 99]) {
    test(`loop readings with reload ${reload}`, async () => {
      const elf = await buildFirmware({
        sources: [FIRMWARE_SOURCE],
        includeDirs: [],
        defines: { PLATFORM_SYSTICK_RELOAD: String(reload) },
        outDir,
        name: `systick-${reload}`,
      });
      const first = await runFirmware(elf, { timeoutMs: TIMEOUT_MS });
      const second = await runFirmware(elf, { timeoutMs: TIMEOUT_MS });
      assert.equal(first.exitCode, 0, first.stderr);
      assert.equal(second.exitCode, 0, second.stderr);
      assert.equal(second.stdout, first.stdout, 'readings repeat exactly between two runs');

      const readings = parseReadings(first.stdout);
      const period = reload + 1;

      // SYST_CALIB.TENMS = 9999: 10 000 reference ticks per 10 ms, a 1 MHz reference clock.
      assert.deepEqual(readings.get('calibration'), ['0x0000270f']);

      for (const ticks of numbersOf(readings, 'empty')) {
        assert.ok(ticks <= 1, `start and stop cost below one tick (40 instructions), read ${ticks} ticks`);
      }

      for (const iterations of LOOP_ITERATIONS) {
        const expected = loopInstructions(iterations);
        const exceptions = Math.ceil(expected / INSTRUCTIONS_PER_TICK / period) + 1;
        // A reading may fall one tick short of the loop. It may exceed it by
        // one tick of resolution, the start and stop overhead (below one
        // tick) and the instructions of the SysTick exceptions taken.
        const lowest = expected - INSTRUCTIONS_PER_TICK;
        const highest = expected + 2 * INSTRUCTIONS_PER_TICK + exceptions * EXCEPTION_INSTRUCTIONS_MAX;
        for (const ticks of numbersOf(readings, `loop_${iterations}`)) {
          const measured = ticks * INSTRUCTIONS_PER_TICK;
          assert.ok(
            measured > lowest && measured < highest,
            `loop of ${expected} instructions read ${ticks} ticks = ${measured} instructions, expected between ${lowest} and ${highest}`,
          );
        }
      }

      assert.deepEqual(readings.get('backwards'), ['0'], 'the tick count never decreases across a reload');

      const [referenceTicks] = numbersOf(readings, 'reference_loop_1000000');
      const referenceMeasured = referenceTicks * REFERENCE_INSTRUCTIONS_PER_TICK;
      assert.ok(
        Math.abs(referenceMeasured - loopInstructions(1_000_000)) < 2 * REFERENCE_INSTRUCTIONS_PER_TICK,
        `reference clock read ${referenceTicks} ticks for ${loopInstructions(1_000_000)} instructions, expected 1000 instructions per tick`,
      );
    });
  }
});
