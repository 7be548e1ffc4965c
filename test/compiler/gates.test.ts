/**
 * The gate activations and the int64 requantization of compiler/fixed-point.ts:
 * each hard sigmoid is its Keras definition rounded half up to Q0.15 for every
 * int16 input, and requantizeWide equals exact BigInt arithmetic.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ONE_Q15,
  SIGMOID_TABLE,
  activationQ15,
  gateQ15,
  hardSigmoidKeras2Q15,
  hardSigmoidKeras3Q15,
  requantizeWide,
} from '../../compiler/fixed-point.js';

/** round(y) half up for y = numerator / denominator, denominator > 0, in exact integers. */
function roundHalfUp(numerator: bigint, denominator: bigint): number {
  const doubled = 2n * numerator + denominator;
  const divisor = 2n * denominator;
  let quotient = doubled / divisor;
  if (doubled < 0n && quotient * divisor !== doubled) quotient -= 1n;
  return Number(quotient);
}

function clampQ15(value: number): number {
  return Math.min(ONE_Q15, Math.max(0, value));
}

describe('hard sigmoids', () => {
  it('Keras 2 form is exact', () => {
    // clip(0.2 a + 0.5, 0, 1) rounded half up, for every int16 a.
    for (let a = -32768; a <= 32767; a++) {
      // 0.2 * a / 2^12 * 2^15 + 2^14 = (16 a + 163840) / 10
      const expected = clampQ15(roundHalfUp(16n * BigInt(a) + 163840n, 10n));
      assert.equal(hardSigmoidKeras2Q15(a), expected, `a = ${a}`);
    }
  });

  it('Keras 3 form is exact', () => {
    // relu6(a + 3) / 6 rounded half up, for every int16 a.
    for (let a = -32768; a <= 32767; a++) {
      // (a / 2^12 + 3) / 6 * 2^15 = (8 a + 98304) / 6
      const expected = clampQ15(roundHalfUp(8n * BigInt(a) + 98304n, 6n));
      assert.equal(hardSigmoidKeras3Q15(a), expected, `a = ${a}`);
    }
  });

  it('reach exactly 0 and 1.0 where the definitions do', () => {
    assert.equal(hardSigmoidKeras2Q15(-10240), 0); // -2.5
    assert.equal(hardSigmoidKeras2Q15(10240), ONE_Q15); // 2.5
    assert.equal(hardSigmoidKeras2Q15(0), 16384);
    assert.equal(hardSigmoidKeras3Q15(-12288), 0); // -3.0
    assert.equal(hardSigmoidKeras3Q15(12288), ONE_Q15); // 3.0
    assert.equal(hardSigmoidKeras3Q15(0), 16384);
    // The Keras 2 form is saturated at 2.75, the Keras 3 form is not.
    assert.equal(hardSigmoidKeras2Q15(11264), ONE_Q15);
    assert.ok(hardSigmoidKeras3Q15(11264) < ONE_Q15);
  });

  it('gateQ15 dispatches on the activation', () => {
    for (const a of [-32768, -12288, -5000, 0, 777, 12288, 32767]) {
      assert.equal(gateQ15('sigmoid', a), activationQ15(SIGMOID_TABLE, a));
      assert.equal(gateQ15('hard_sigmoid_keras2', a), hardSigmoidKeras2Q15(a));
      assert.equal(gateQ15('hard_sigmoid_keras3', a), hardSigmoidKeras3Q15(a));
    }
  });
});

describe('requantizeWide', () => {
  it('equals exact BigInt arithmetic up to |acc| < 2^47', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 47n) + 1n, max: 2n ** 47n - 1n }),
        fc.integer({ min: 0, max: 2 ** 15 - 1 }),
        fc.integer({ min: 20, max: 62 }),
        (acc, mult, shift) => {
          const exact = (acc * BigInt(mult) + (1n << BigInt(shift - 1))) >> BigInt(shift);
          assert.equal(requantizeWide(Number(acc), mult, shift), Number(exact));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('takes the BigInt path above 2^52', () => {
    const acc = 2 ** 46 + 12345;
    const exact = (BigInt(acc) * 32767n + (1n << 29n)) >> 30n;
    assert.ok(acc * 32767 >= 2 ** 52);
    assert.equal(requantizeWide(acc, 32767, 30), Number(exact));
    assert.equal(requantizeWide(-acc, 32767, 30), Number((BigInt(-acc) * 32767n + (1n << 29n)) >> 30n));
  });
});
