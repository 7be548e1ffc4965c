import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadUserData } from '../../trainer/data/user-data.js';
import { parseJsonlSequences } from '../../trainer/data/user-jsonl.js';
import { assertUserError, makeDataDir, readSequence, writeDataFile } from '../support/data-files.js';

const dir = makeDataDir('jsonl');
const EXAMPLE = '{"label": "yes", "frames": [[0.5, 1], [0.25, 0]]}';

function record(label: unknown, frames: unknown): string {
  return JSON.stringify({ label, frames });
}

test('jsonl loads string labels in sorted order', () => {
  const path = writeDataFile(
    dir,
    'words.jsonl',
    [
      record('yes', [[0.5, 1], [0.25, 0], [1, 2]]),
      '',
      '{"label": "no", "frames": [[-1, 2.5e-3], [3, 4], [5, 6]], "id": 7}',
      `${record('yes', [[9, 8], [7, 6], [5, 4]])}\r`,
      '   ',
    ].join('\n'),
  );
  const data = loadUserData({ path, validationShare: 0 });
  assert.deepEqual(data.labels, ['no', 'yes']);
  assert.equal(data.output, 'softmax');
  assert.equal(data.train.count, 3);
  assert.equal(data.train.frames, 3);
  assert.equal(data.train.frameSize, 2);
  assert.deepEqual(Array.from(data.train.labels), [1, 0, 1]);
  assert.deepEqual(readSequence(data.train, 1), [[-1, Math.fround(2.5e-3)], [3, 4], [5, 6]]);
  assert.deepEqual(readSequence(data.train, 2), [[9, 8], [7, 6], [5, 4]]);
  assert.equal(data.validation.count, 0);
  assert.equal(data.test.count, 0);
});

test('jsonl integer labels are class indices', () => {
  const path = writeDataFile(dir, 'numbers.jsonl', [record(2, [[1]]), record(0, [[2]]), record(2, [[3]])].join('\n'));
  const data = loadUserData({ path, validationShare: 0 });
  assert.deepEqual(data.labels, ['0', '1', '2']);
  assert.deepEqual(Array.from(data.train.labels), [2, 0, 2]);
  assert.deepEqual(readSequence(data.train, 1), [[2]]);
});

test('jsonl reads a byte order mark', () => {
  const parsed = parseJsonlSequences(`\uFEFF${record('a', [[1]])}\n${record('b', [[2]])}\n`, 'bom.jsonl');
  assert.deepEqual(parsed.labels, ['a', 'b']);
  assert.equal(parsed.count, 2);
});

test('jsonl bad records name file, line and field', () => {
  const good = record('yes', [[1, 2], [3, 4]]);
  const sameLength = 'all sequences must have the same length, so pad or trim them before loading';
  const cases: [string, string | RegExp][] = [
    [`${good}\n{"label": "yes", "frames": [[1, 2]`, new RegExp(`^f\\.jsonl:2: invalid JSON \\(.+\\); each line must be one JSON object such as ${escape(EXAMPLE)}$`)],
    ['[1, 2]', `f.jsonl:1: expected a JSON object with the fields "label" and "frames", got an array; write one record per line such as ${EXAMPLE}`],
    [`${good}\n\n{"frames": [[1, 2], [3, 4]]}`, 'f.jsonl:3: missing field "label"; add the class of the sequence, a string or a non-negative integer'],
    [record(true, [[1]]), 'f.jsonl:1: invalid field "label": expected a non-empty string or a non-negative integer, got true'],
    [record(-1, [[1]]), 'f.jsonl:1: invalid field "label": expected a non-empty string or a non-negative integer, got -1'],
    [record(1.5, [[1]]), 'f.jsonl:1: invalid field "label": expected a non-empty string or a non-negative integer, got 1.5'],
    [record('', [[1]]), 'f.jsonl:1: invalid field "label": expected a non-empty string or a non-negative integer, got ""'],
    [`${record(1, [[1]])}\n${record('yes', [[1]])}`, 'f.jsonl:2: invalid field "label": "yes" is a string but the label at line 1 is an integer; use one label type in a file'],
    ['{"label": "yes"}', 'f.jsonl:1: missing field "frames"; add the sequence as an array of frames, each an array of numbers'],
    [record('yes', 'abc'), 'f.jsonl:1: invalid field "frames": expected an array of frames, each an array of numbers, got "abc"'],
    [record('yes', []), 'f.jsonl:1: invalid field "frames": the sequence has no frames; add at least one frame'],
    [record('yes', [[1], 2]), 'f.jsonl:1: invalid field "frames[1]": expected an array of numbers, got 2'],
    [record('yes', [[]]), 'f.jsonl:1: invalid field "frames[0]": the frame has no values; every frame needs at least one value'],
    [record('yes', [[1, 2], [3]]), 'f.jsonl:1: invalid field "frames[1]": the frame has 1 value but frames[0] has 2; all frames must have the same width'],
    [`${good}\n${record('no', [[1, 2, 3], [4, 5, 6]])}`, 'f.jsonl:2: invalid field "frames[0]": the frame has 3 values but the frames at line 1 have 2; all frames must have the same width'],
    ['{"label": "yes", "frames": [[1, 1e999]]}', 'f.jsonl:1: invalid field "frames[0][1]": expected a finite number, got Infinity'],
    [record('yes', [[1, 2], [1e39, 3]]), 'f.jsonl:1: invalid field "frames[1][0]": 1e+39 overflows float32, whose finite values have a magnitude of at most 3.4028234663852886e+38; scale the data down'],
    [record('yes', [[1, null]]), 'f.jsonl:1: invalid field "frames[0][1]": expected a finite number, got null'],
    [record('yes', [['NaN']]), 'f.jsonl:1: invalid field "frames[0][0]": expected a finite number, got "NaN"'],
    [`${good}\n${good}\n${record('no', [[1, 2], [3, 4], [5, 6]])}`, `f.jsonl:3: invalid field "frames": the sequence has 3 frames but the sequence at line 1 has 2; ${sameLength}`],
    [`${good}\n${record('no', [[1, 2]])}`, `f.jsonl:2: invalid field "frames": the sequence has 1 frame but the sequence at line 1 has 2; ${sameLength}`],
    ['', `f.jsonl: the file contains no sequences; write one JSON record per line such as ${EXAMPLE}`],
    ['\n  \n\r\n', `f.jsonl: the file contains no sequences; write one JSON record per line such as ${EXAMPLE}`],
    [
      Array.from({ length: 258 }, (_, i) => record(`class${i}`, [[i]])).join('\n'),
      'f.jsonl:257: too many classes: field "label" "class256" is distinct label number 257 in the file, but at most 256 classes are supported; merge classes or split the task',
    ],
    [
      `${record(3, [[1]])}\n${record(256, [[1]])}`,
      'f.jsonl:2: invalid field "label": 256 is out of range; integer labels are class indices from 0 to 255, so at most 256 classes are supported',
    ],
  ];
  for (const [text, message] of cases) assertUserError(() => parseJsonlSequences(text, 'f.jsonl'), message);
});

test('jsonl errors reach loadUserData', () => {
  const path = writeDataFile(dir, 'bad.jsonl', `${record('a', [[1]])}\n${record('b', [[1], [2]])}\n`);
  assertUserError(
    () => loadUserData({ path }),
    `${path}:2: invalid field "frames": the sequence has 2 frames but the sequence at line 1 has 1; all sequences must have the same length, so pad or trim them before loading`,
  );
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
