import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCsvSequences, splitCsvRow } from '../../trainer/data/user-csv.js';
import { loadUserData } from '../../trainer/data/user-data.js';
import { assertUserError, makeDataDir, readSequence, writeDataFile } from '../support/data-files.js';

const dir = makeDataDir('csv');
const HEADER = 'sequence,step,label,v0,v1';

test('csv loads sequences with quoted labels', () => {
  const path = writeDataFile(
    dir,
    'good.csv',
    [
      HEADER,
      'a,0,"yes, loud",0.5,1',
      'a,1,"yes, loud",0.25,-2e-1',
      '',
      'b,0,no,3,4\r',
      'b,1,no,+5,.5\r',
      '"c ""q""",0,no,7,8',
      '"c ""q""",1,no,9,10',
      '',
    ].join('\n'),
  );
  const data = loadUserData({ path, validationShare: 0 });
  assert.deepEqual(data.labels, ['no', 'yes, loud']);
  assert.equal(data.train.count, 3);
  assert.equal(data.train.frames, 2);
  assert.equal(data.train.frameSize, 2);
  assert.deepEqual(Array.from(data.train.labels), [1, 0, 0]);
  assert.deepEqual(readSequence(data.train, 0), [[0.5, 1], [0.25, Math.fround(-0.2)]]);
  assert.deepEqual(readSequence(data.train, 1), [[3, 4], [5, 0.5]]);
  assert.deepEqual(readSequence(data.train, 2), [[7, 8], [9, 10]]);
});

test('csv digit labels are class indices', () => {
  const parsed = parseCsvSequences(['sequence,step,label,x', 's1,0,1,5', 's2,0,0,6', 's3,0,3,7'].join('\n'), 'd.csv');
  assert.equal(parsed.integerLabels, true);
  const path = writeDataFile(dir, 'digits.csv', ['sequence,step,label,x', 's1,0,1,5', 's2,0,0,6', 's3,0,3,7'].join('\n'));
  const data = loadUserData({ path, validationShare: 0 });
  assert.deepEqual(data.labels, ['0', '1', '2', '3']);
  assert.deepEqual(Array.from(data.train.labels), [1, 0, 3]);
});

test('csv accepts float32 maximum', () => {
  const parsed = parseCsvSequences(['sequence,step,label,x', 's1,0,a,3.4028234663852886e38', 's2,0,b,-3.4028234663852886e38'].join('\n'), 'max.csv');
  assert.deepEqual(Array.from(parsed.values), [3.4028234663852886e38, -3.4028234663852886e38]);
});

test('csv rows split with quotes', () => {
  assert.deepEqual(splitCsvRow('a,"b,c",d'), ['a', 'b,c', 'd']);
  assert.deepEqual(splitCsvRow('"x""y",,'), ['x"y', '', '']);
  assert.deepEqual(splitCsvRow('"open,1'), undefined);
});

test('csv bad rows name file, line and field', () => {
  const sameLength = 'all sequences must have the same length, so pad or trim them before loading';
  const cases: [string[], string][] = [
    [[], 'f.csv: the file is empty; expected a header row such as sequence,step,label,v0,v1 and one row per frame'],
    [['', '  '], 'f.csv: the file is empty; expected a header row such as sequence,step,label,v0,v1 and one row per frame'],
    [['seq,t,label,x', 'a,0,yes,1'], 'f.csv:1: invalid header "seq,t,label,x": expected the columns sequence,step,label followed by at least one value column, such as sequence,step,label,v0,v1'],
    [['sequence,step,label'], 'f.csv:1: invalid header "sequence,step,label": expected the columns sequence,step,label followed by at least one value column, such as sequence,step,label,v0,v1'],
    [[HEADER], 'f.csv: the file contains no sequences, only a header; add one row per frame such as s1,0,yes,0.5,1'],
    [[HEADER, 'a,0,yes,1,2', 'a,1,yes,3'], 'f.csv:3: the row has 4 fields but the header has 5'],
    [[HEADER, 'a,0,"yes,1,2'], 'f.csv:2: a quoted field is not closed; end it with a double quote, and write a quote inside a field as ""'],
    [[HEADER, ' ,0,yes,1,2'], 'f.csv:2: invalid field "sequence": the sequence id is empty'],
    [[HEADER, 'a,one,yes,1,2'], 'f.csv:2: invalid field "step": expected a non-negative integer, got "one"'],
    [[HEADER, 'a,0,yes,1,2', 'a,2,yes,1,2'], 'f.csv:3: invalid field "step": expected step 1 of sequence "a", got 2; list the steps 0, 1, 2, ... in order'],
    [[HEADER, 'a,1,yes,1,2'], 'f.csv:2: invalid field "step": expected step 0 of sequence "a", got 1; list the steps 0, 1, 2, ... in order'],
    [[HEADER, 'a,0,yes,1,2', 'b,0,no,1,2', 'a,1,yes,1,2'], 'f.csv:4: invalid field "sequence": the rows of sequence "a" must be contiguous, but it already started at line 2'],
    [[HEADER, 'a,0,yes,1,2', 'a,1,no,1,2'], 'f.csv:3: invalid field "label": "no" differs from the label "yes" at line 2; every row of a sequence has its label'],
    [[HEADER, 'a,0,,1,2'], 'f.csv:2: invalid field "label": the label is empty'],
    [[HEADER, 'a,0,yes,1,abc'], 'f.csv:2: invalid field "v1": expected a finite number, got "abc"'],
    [[HEADER, 'a,0,yes,inf,1'], 'f.csv:2: invalid field "v0": expected a finite number, got "inf"'],
    [[HEADER, 'a,0,yes,,1'], 'f.csv:2: invalid field "v0": expected a finite number, got ""'],
    [[HEADER, 'a,0,yes,1e999,1'], 'f.csv:2: invalid field "v0": expected a finite number, got "1e999"'],
    [[HEADER, 'a,0,yes,1,1e39'], 'f.csv:2: invalid field "v1": 1e+39 overflows float32, whose finite values have a magnitude of at most 3.4028234663852886e+38; scale the data down'],
    [[HEADER, 'a,0,yes,-3.5e38,1'], 'f.csv:2: invalid field "v0": -3.5e+38 overflows float32, whose finite values have a magnitude of at most 3.4028234663852886e+38; scale the data down'],
    [[HEADER, 'a,0,yes,1,2', 'a,1,yes,1,2', 'b,0,no,1,2'], `f.csv:4: invalid field "sequence": sequence "b" has 1 step but sequence "a" at line 2 has 2; ${sameLength}`],
    [[HEADER, 'a,0,yes,1,2', 'b,0,no,1,2', 'b,1,no,1,2', 'c,0,no,1,2'], `f.csv:3: invalid field "sequence": sequence "b" has 2 steps but sequence "a" at line 2 has 1; ${sameLength}`],
    [
      [HEADER, ...Array.from({ length: 257 }, (_, i) => `s${i},0,class${i},1,2`)],
      'f.csv:258: too many classes: field "label" "class256" is distinct label number 257 in the file, but at most 256 classes are supported; merge classes or split the task',
    ],
    [
      [HEADER, 'a,0,1,1,2', 'b,0,300,1,2'],
      'f.csv:3: invalid field "label": 300 is out of range; integer labels are class indices from 0 to 255, so at most 256 classes are supported',
    ],
  ];
  for (const [lines, message] of cases) assertUserError(() => parseCsvSequences(lines.join('\n'), 'f.csv'), message);
});
