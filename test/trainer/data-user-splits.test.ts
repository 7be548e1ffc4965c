import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FrameSequences } from '../../trainer/data/frames.js';
import { deriveSeed, splitByShare } from '../../trainer/data/splits.js';
import { loadUserData, readUserSequences } from '../../trainer/data/user-data.js';
import { assertUserError, makeDataDir, readSequence, writeDataFile } from '../support/data-files.js';

const dir = makeDataDir('splits');

/** Writes `count` JSONL sequences whose only value is the sequence number, labelled by its parity or by `labelOf`. */
function writeNumbered(name: string, count: number, labelOf: (i: number) => string | number = (i) => (i % 2 ? 'odd' : 'even')): string {
  const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ label: labelOf(i), frames: [[i], [i]] }));
  return writeDataFile(dir, name, lines.join('\n'));
}

function firstValues(set: FrameSequences): number[] {
  return Array.from({ length: set.count }, (_, example) => readSequence(set, example)[0][0]);
}

test('validation share splits by seed', () => {
  const path = writeNumbered('forty.jsonl', 40);
  const first = loadUserData({ path, validationShare: 0.25, seed: 3 });
  const again = loadUserData({ path, validationShare: 0.25, seed: 3 });
  const other = loadUserData({ path, validationShare: 0.25, seed: 4 });
  assert.equal(first.train.count, 30);
  assert.equal(first.validation.count, 10);
  assert.equal(first.test.count, 0);
  const train = firstValues(first.train);
  const validation = firstValues(first.validation);
  assert.deepEqual([...train, ...validation].sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i));
  assert.deepEqual(train, [...train].sort((a, b) => a - b), 'training sequences keep file order');
  assert.deepEqual(firstValues(again.validation), validation);
  assert.notDeepEqual(firstValues(other.validation), validation);
  for (let example = 0; example < first.validation.count; example++) {
    assert.equal(first.validation.labels[example], validation[example] % 2, 'label follows its sequence');
  }
});

test('default split holds out a tenth', () => {
  const data = loadUserData({ path: writeNumbered('twenty.jsonl', 20) });
  assert.equal(data.train.count, 18);
  assert.equal(data.validation.count, 2);
});

test('test share and test file', () => {
  const path = writeNumbered('thirty.jsonl', 30);
  const shared = loadUserData({ path, validationShare: 0.1, testShare: 0.2 });
  assert.deepEqual([shared.train.count, shared.validation.count, shared.test.count], [21, 3, 6]);
  const all = [...firstValues(shared.train), ...firstValues(shared.validation), ...firstValues(shared.test)];
  assert.equal(new Set(all).size, 30);

  const testPath = writeDataFile(dir, 'test.csv', ['sequence,step,label,v', 'a,0,odd,100', 'a,1,odd,100', 'b,0,even,200', 'b,1,even,200'].join('\n'));
  const separate = loadUserData({ path, testPath });
  assert.deepEqual(firstValues(separate.test), [100, 200]);
  assert.deepEqual(Array.from(separate.test.labels), [1, 0]);
  assert.deepEqual(separate.labels, ['even', 'odd']);
});

test('split seeds are independent streams', () => {
  assert.notEqual(deriveSeed(1, 1), deriveSeed(1, 2));
  assert.notEqual(deriveSeed(1, 1), deriveSeed(2, 1));
  assert.equal(deriveSeed(5, 3), deriveSeed(5, 3));
  const split = splitByShare(10, 0.05, 0, 1, 'f');
  assert.equal(split.validation.length, 1, 'a positive share keeps at least one sequence');
});

test('classes option and sigmoid output', () => {
  const path = writeNumbered('ten.jsonl', 10);
  const data = loadUserData({ path, validationShare: 0, classes: ['odd', 'even'], output: 'sigmoid' });
  assert.deepEqual(data.labels, ['odd', 'even']);
  assert.equal(data.output, 'sigmoid');
  assert.deepEqual(Array.from(data.train.labels.subarray(0, 4)), [1, 0, 1, 0]);

  // Three classes with a sigmoid output train one sigmoid unit per class.
  const threeClasses = writeNumbered('three-sigmoid.jsonl', 6, (i) => `c${i % 3}`);
  const perClass = loadUserData({ path: threeClasses, validationShare: 0, output: 'sigmoid' });
  assert.equal(perClass.output, 'sigmoid');
  assert.deepEqual(perClass.labels, ['c0', 'c1', 'c2']);
});

test('loading rejects bad options and files', () => {
  const path = writeNumbered('twelve.jsonl', 12);
  const oneClass = writeNumbered('one.jsonl', 4, () => 'same');
  const badTest = writeNumbered('bad-test.jsonl', 2, () => 'maybe');
  const wideTest = writeDataFile(dir, 'wide.jsonl', JSON.stringify({ label: 'odd', frames: [[1, 2], [3, 4]] }));
  const cases: [() => unknown, string][] = [
    [() => loadUserData({ path, testPath: badTest, testShare: 0.1 }), `both a test file (${badTest}) and a test share of 0.1 are given; pass only one of them`],
    [() => loadUserData({ path, validationShare: 1 }), 'invalid validation share 1: expected a fraction from 0 to 0.99, such as 0.1'],
    [() => loadUserData({ path, validationShare: 0.6, testShare: 0.4 }), `${path}: a validation share of 0.6 and a test share of 0.4 leave no training sequences out of 12; lower the shares or add sequences`],
    [() => loadUserData({ path: oneClass }), `${oneClass}: every sequence has the label "same"; a classifier needs at least two classes`],
    [() => loadUserData({ path, testPath: badTest }), `${badTest}:1: invalid field "label": "maybe" is not one of the classes of ${path} (even, odd)`],
    [() => loadUserData({ path, classes: ['even', 'other'] }), `${path}:2: invalid field "label": "odd" is not one of the classes option (even, other)`],
    [() => loadUserData({ path, classes: ['even', 'even'] }), 'invalid classes option: the class "even" appears twice; list each class once'],
    [() => loadUserData({ path, classes: ['even'] }), 'invalid classes option: expected a list of 2 to 256 class names, got ["even"]'],
    [() => loadUserData({ path, testPath: wideTest }), `${wideTest}: the sequences have 2 frames of 2 values, but the training file ${path} has 2 frames of 1 value; the test file must have the same shape`],
    [() => readUserSequences(`${dir}/missing.jsonl`), `data file not found: ${dir}/missing.jsonl; pass the path of a .jsonl, .ndjson, .csv or .npy file`],
    [() => readUserSequences(dir), `unsupported data file ${dir}: expected the extension .jsonl, .ndjson, .csv or .npy; docs/DATA_FORMAT.md describes the formats`],
    [() => readUserSequences(path, 'labels.npy'), `a labels file (labels.npy) only applies to .npy data, but ${path} is not a .npy file; put the labels into the data file`],
  ];
  for (const [action, message] of cases) assertUserError(action, message);
});
