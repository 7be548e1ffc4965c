import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { UserError } from '../../common/errors.js';
import { escapeCComment, escapeCString, formatInt32, prefixFromModelName, validatePrefix } from '../../compiler/c-syntax.js';

describe('prefixFromModelName', () => {
  const cases: [string, string][] = [
    ['temporal_mnist', 'temporal_mnist'],
    ['Temporal MNIST (RC, beta=0.165)', 'temporal_mnist_rc_beta_0_165'],
    ['9lives', 'model_9lives'],
    ['__private__', 'private'],
    ['', 'rc_model'],
    ['!!!', 'rc_model'],
    ['int', 'rc_model'],
    ['rc', 'rc_model'],
    ['rc_lstm', 'rc_model'],
    ['rc_model_v2', 'rc_model_v2'],
    ['a'.repeat(60), 'a'.repeat(40)],
    ['Ünïcode-名前', 'n_code'],
  ];
  for (const [name, expected] of cases) {
    it(`maps ${JSON.stringify(name)}`, () => assert.equal(prefixFromModelName(name), expected));
  }
});

describe('validatePrefix', () => {
  it('accepts a plain prefix', () => assert.equal(validatePrefix('kws_small'), 'kws_small'));

  const rejected: [string, RegExp][] = [
    ['Model', /invalid symbol prefix "Model": it must start with a lower-case letter/],
    ['2fast', /must start with a lower-case letter/],
    ['a-b', /only a-z, 0-9 and _/],
    ['for', /it is a C keyword/],
    ['a__b', /"__" are reserved/],
    ['rc_net', /belong to the C runtime/],
    ['x'.repeat(41), /longer than 40 characters/],
  ];
  for (const [prefix, pattern] of rejected) {
    it(`rejects ${prefix.slice(0, 12)}`, () => {
      assert.throws(
        () => validatePrefix(prefix),
        (error: unknown) => error instanceof UserError && pattern.test(error.message) && /Choose another one, for example "/.test(error.message),
      );
    });
  }
});

describe('C text escaping', () => {
  it('escapes string literals', () => {
    assert.equal(escapeCString('say "hi"\\'), 'say \\"hi\\"\\\\');
    assert.equal(escapeCString('why??='), 'why\\?\\?=');
    assert.equal(escapeCString('tab\there\n'), 'tab\\011here\\012');
    assert.equal(escapeCString('é1'), '\\303\\2511');
  });

  it('keeps comments closed', () => {
    assert.equal(escapeCComment('a */ b /* c'), 'a * / b / * c');
    assert.equal(escapeCComment('line\nbreak'), 'line?break');
  });

  it('formats INT32_MIN portably', () => {
    assert.equal(formatInt32(-2147483648), '(-2147483647 - 1)');
    assert.equal(formatInt32(2147483647), '2147483647');
    assert.equal(formatInt32(-5), '-5');
  });
});
