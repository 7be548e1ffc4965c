// Builds small firmwares for QEMU's mps2-an386 and checks output, exit status,
// fault reporting, timeouts and build errors of the runner in test/support/qemu.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFirmware, qemuTestSkipReason, REPOSITORY_ROOT, runFirmware } from '../support/qemu.js';

const FIRMWARE_DIR = join(REPOSITORY_ROOT, 'test', 'qemu', 'firmware');
const TIMEOUT_MS = 20_000;

/** Computes the hash that checksum.c prints: FNV-1a 32 over 4096 bytes of an LCG seeded with 12345. */
function expectedChecksum(): number {
  let state = 12345;
  let hash = 2166136261;
  for (let i = 0; i < 4096; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const byte = state >>> 24;
    hash = Math.imul(hash ^ byte, 16777619) >>> 0;
  }
  return hash;
}

describe('QEMU firmware runner', { skip: qemuTestSkipReason() }, () => {
  let outDir = '';

  before(() => {
    outDir = mkdtempSync(join(tmpdir(), 'rankcode-qemu-runner-'));
  });

  after(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  test('checksum firmware prints computed hash', async () => {
    const elf = await buildFirmware({ sources: [join(FIRMWARE_DIR, 'checksum.c')], includeDirs: [], outDir, name: 'checksum' });
    const result = await runFirmware(elf, { timeoutMs: TIMEOUT_MS });
    const hash = expectedChecksum();
    const lines = result.stdout.split('\n');

    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(lines[0], 'bss_sum 0', '.bss must start zeroed');
    assert.equal(lines[1], `checksum ${hash} 0x${hash.toString(16).padStart(8, '0')} ${hash | 0}`);
    assert.equal(lines[2], 'format -2147483648 -1 0 2147483647 4294967295 18446744073709551615 0 0xdeadbeef 0x00000000');
    assert.equal(lines.length, 4, `unexpected extra output: ${JSON.stringify(result.stdout)}`);
  });

  test('exit status propagates to QEMU', async () => {
    const cases = [
      { status: 3, fromCall: false },
      { status: 3, fromCall: true },
      { status: 1, fromCall: false },
      { status: 255, fromCall: true },
    ];
    const results = await Promise.all(
      cases.map(async ({ status, fromCall }) => {
        const defines: Record<string, string> = { EXIT_STATUS: String(status) };
        if (fromCall) defines.EXIT_FROM_CALL = '1';
        const name = `exit-${status}-${fromCall ? 'call' : 'return'}`;
        const elf = await buildFirmware({ sources: [join(FIRMWARE_DIR, 'exit_status.c')], includeDirs: [], defines, outDir, name });
        return runFirmware(elf, { timeoutMs: TIMEOUT_MS });
      }),
    );

    cases.forEach(({ status, fromCall }, index) => {
      const exitPath = fromCall ? 'platform_exit' : 'return from main';
      assert.equal(results[index].stdout, `exiting with ${status}\n`, exitPath);
      assert.equal(results[index].exitCode, status, `${exitPath}: ${results[index].stderr}`);
    });
  });

  test('fault reports exception and exits 70', async () => {
    const elf = await buildFirmware({ sources: [join(FIRMWARE_DIR, 'fault.c')], includeDirs: [], outDir, name: 'fault' });
    const result = await runFirmware(elf, { timeoutMs: TIMEOUT_MS });

    assert.equal(result.exitCode, 70, result.stderr);
    assert.match(result.stdout, /^before fault\n/);
    // Exception 3 is HardFault. HFSR.FORCED (bit 30) and CFSR.UNDEFINSTR (bit 16) show it escalated from a UsageFault.
    assert.match(result.stdout, /platform: unexpected exception 3 at pc 0x[0-9a-f]{8}, CFSR 0x00010000, HFSR 0x40000000\n$/);
    assert.doesNotMatch(result.stdout, /after fault/);
  });

  test('timeout kills a hanging firmware', async () => {
    const elf = await buildFirmware({ sources: [join(FIRMWARE_DIR, 'hang.c')], includeDirs: [], outDir, name: 'hang' });
    const started = Date.now();

    // runFirmware settles only after QEMU's 'close' event, so a rejection means the process is gone.
    await assert.rejects(runFirmware(elf, { timeoutMs: 1500 }), (error: Error) => {
      assert.match(error.message, /timed out after 1500 ms/);
      assert.match(error.message, /hanging/, 'the error carries the output so far');
      return true;
    });
    assert.ok(Date.now() - started < 10_000, 'the timeout fires well before the test runner would give up');
  });

  test('build error includes compiler output', async () => {
    const broken = join(outDir, 'broken.c');
    writeFileSync(broken, 'int main(void) { return undeclared_name; }\n');

    await assert.rejects(buildFirmware({ sources: [broken], includeDirs: [], outDir, name: 'broken' }), (error: Error) => {
      assert.match(error.message, /arm-none-eabi-gcc failed to build/);
      assert.match(error.message, /undeclared_name/);
      return true;
    });
  });

  test('invalid macro name is rejected', async () => {
    await assert.rejects(
      buildFirmware({ sources: [join(FIRMWARE_DIR, 'hang.c')], includeDirs: [], defines: { 'NOT VALID': '1' }, outDir }),
      /invalid macro name "NOT VALID"/,
    );
  });
});
