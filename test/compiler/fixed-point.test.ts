import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ACT_TABLE_SIZE,
  EXP_TABLE,
  EXP_TABLE_SIZE,
  SIGMOID_TABLE,
  TANH_TABLE,
  activationQ15,
  confidenceQ15,
  expNegQ16,
  quantizeMultiplier,
  roundingShift,
  spikeBoundFor,
} from '../../compiler/fixed-point.js';

/** floor((value + 2^(shift-1)) / 2^shift) in exact BigInt arithmetic. */
function referenceRoundingShift(value: number, shift: number): number {
  const big = BigInt(value) + (1n << BigInt(shift - 1));
  const divisor = 1n << BigInt(shift);
  let quotient = big / divisor; // truncates toward zero
  if (big < 0n && quotient * divisor !== big) quotient -= 1n;
  return Number(quotient);
}

describe('roundingShift', () => {
  it('rounds half up', () => {
    assert.equal(roundingShift(5, 1), 3); // 2.5 -> 3
    assert.equal(roundingShift(-5, 1), -2); // -2.5 -> -2
    assert.equal(roundingShift(-7, 1), -3); // -3.5 -> -3
    assert.equal(roundingShift(-6, 2), -1); // -1.5 -> -1
    assert.equal(roundingShift(-10, 2), -2); // -2.5 -> -2
    assert.equal(roundingShift(4, 3), 1); // 0.5 -> 1
    assert.equal(roundingShift(3, 3), 0);
  });

  it('equals floor((v + 2^(s-1)) / 2^s)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 46), max: 2 ** 46 }), fc.integer({ min: 1, max: 50 }), (value, shift) => {
        assert.equal(roundingShift(value, shift), referenceRoundingShift(value, shift));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('quantizeMultiplier', () => {
  it('keeps mult in [2^14, 2^15) within 2^-15 relative error', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 16000, noNaN: true }), (real) => {
        const split = quantizeMultiplier(real);
        assert.ok(!('error' in split));
        assert.ok(split.mult >= 2 ** 14, `mult ${split.mult} for ${real}`);
        assert.ok(split.mult < 2 ** 15, `mult ${split.mult} for ${real}`);
        assert.ok(split.shift >= 1, `shift ${split.shift} for ${real}`);
        assert.ok(split.shift <= 62, `shift ${split.shift} for ${real}`);
        const value = split.mult * 2 ** -split.shift;
        assert.ok(Math.abs(value - real) / real <= 2 ** -15, `${value} vs ${real}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('represents powers of two exactly', () => {
    for (let exponent = -40; exponent <= 13; exponent++) {
      const split = quantizeMultiplier(2 ** exponent);
      assert.ok(!('error' in split));
      assert.equal(split.mult * 2 ** -split.shift, 2 ** exponent);
    }
  });

  it('maps zero and negligible values to zero', () => {
    assert.deepEqual(quantizeMultiplier(0), { mult: 0, shift: 1 });
    assert.deepEqual(quantizeMultiplier(2 ** -60), { mult: 0, shift: 1 });
  });

  it('reports values it cannot represent', () => {
    assert.ok('error' in quantizeMultiplier(2 ** 14));
    assert.ok('error' in quantizeMultiplier(-1));
    assert.ok('error' in quantizeMultiplier(Number.NaN));
    assert.ok('error' in quantizeMultiplier(Infinity));
  });
});

function assertMonotone(table: Int32Array, direction: 1 | -1, name: string): void {
  for (let k = 1; k < table.length; k++) assert.ok(direction * (table[k] - table[k - 1]) >= 0, `${name} at ${k}`);
}

describe('lookup tables', () => {
  it('have the documented sizes and endpoints', () => {
    assert.equal(SIGMOID_TABLE.length, ACT_TABLE_SIZE);
    assert.equal(TANH_TABLE.length, ACT_TABLE_SIZE);
    assert.equal(EXP_TABLE.length, EXP_TABLE_SIZE);
    assert.equal(SIGMOID_TABLE[256], 16384, 'sigmoid(0) = 0.5');
    assert.equal(SIGMOID_TABLE[0], 11, 'sigmoid(-8) * 2^15');
    assert.equal(SIGMOID_TABLE[512], 32757, 'sigmoid(8) * 2^15');
    assert.equal(TANH_TABLE[256], 0);
    assert.equal(TANH_TABLE[0], -32768, 'tanh(-8) rounds to -2^15');
    assert.equal(TANH_TABLE[512], 32767, 'tanh(8) saturates at 32767');
    assert.equal(EXP_TABLE[0], 65536);
    assert.equal(EXP_TABLE[256], 0, 'exp(-16) * 2^16 rounds to 0');
  });

  it('are monotone', () => {
    assertMonotone(SIGMOID_TABLE, 1, 'sigmoid');
    assertMonotone(TANH_TABLE, 1, 'tanh');
    assertMonotone(EXP_TABLE, -1, 'exp');
  });

  it('activationQ15 is monotone over all of Q3.12', () => {
    let previousSigmoid = -Infinity;
    let previousTanh = -Infinity;
    for (let a = -32768; a <= 32767; a++) {
      const sigmoid = activationQ15(SIGMOID_TABLE, a);
      const tanh = activationQ15(TANH_TABLE, a);
      assert.ok(sigmoid >= previousSigmoid, `sigmoid decreases at ${a}`);
      assert.ok(tanh >= previousTanh, `tanh decreases at ${a}`);
      assert.ok(sigmoid >= 0, `sigmoid below 0 at ${a}`);
      assert.ok(sigmoid <= 32767, `sigmoid above 32767 at ${a}`);
      assert.ok(tanh >= -32768, `tanh below -32768 at ${a}`);
      assert.ok(tanh <= 32767, `tanh above 32767 at ${a}`);
      previousSigmoid = sigmoid;
      previousTanh = tanh;
    }
    assert.equal(activationQ15(SIGMOID_TABLE, -32768), SIGMOID_TABLE[0]);
    assert.equal(activationQ15(TANH_TABLE, 0), 0);
  });

  it('activationQ15 is within 2^-10 of the real functions', () => {
    for (let a = -32768; a <= 32767; a += 7) {
      const x = a / 4096;
      assert.ok(Math.abs(activationQ15(SIGMOID_TABLE, a) / 32768 - 1 / (1 + Math.exp(-x))) < 2 ** -10, `sigmoid at ${x}`);
      assert.ok(Math.abs(activationQ15(TANH_TABLE, a) / 32768 - Math.tanh(x)) < 2 ** -10, `tanh at ${x}`);
    }
  });
});

describe('expNegQ16', () => {
  it('has exact endpoints', () => {
    assert.equal(expNegQ16(0), 65536);
    assert.equal(expNegQ16(256), EXP_TABLE[1]);
    assert.equal(expNegQ16(65535), 0);
    assert.equal(expNegQ16(65536), 0);
    assert.equal(expNegQ16(2 ** 32 - 1), 0);
  });

  it('is non-increasing and close to exp(-d)', () => {
    let previous = Infinity;
    for (let d = 0; d < 65536; d++) {
      const value = expNegQ16(d);
      assert.ok(value <= previous, `at ${d}`);
      assert.ok(Math.abs(value / 65536 - Math.exp(-d / 4096)) < 2 ** -11, `at ${d}`);
      previous = value;
    }
  });
});

describe('spike bound and confidence', () => {
  it('spikeBoundFor is floor(2^16 / theta)', () => {
    assert.equal(spikeBoundFor(0.95), 68985);
    assert.equal(spikeBoundFor(1), 65536);
    assert.equal(spikeBoundFor(0.5), 131072);
  });

  it('confidenceQ15 caps at 32767', () => {
    assert.equal(confidenceQ15(65536), 32767);
    assert.equal(confidenceQ15(131072), 16384);
    assert.equal(confidenceQ15(4 * 65536), 8192);
  });
});
