import { UserError } from '../../common/errors.js';
import { checkLabelCount, countOf, describeFloat32Overflow, isIntegerLabel, parseDecimal, type ParsedSequences, ValueBuffer } from './user-sequences.js';

const HEADER_EXAMPLE = 'sequence,step,label,v0,v1';

/** The sequence whose rows are being read. */
interface OpenSequence {
  id: string;
  label: string;
  firstLine: number;
  steps: number;
}

/**
 * Parses CSV sequences: a header row "sequence,step,label" followed by one or more
 * value columns (any names, such as v0,v1), then one row per frame. The rows of a
 * sequence are contiguous, list steps 0, 1, 2, ... in order and repeat one label.
 * Fields may be quoted with double quotes. Blank lines are skipped. Every sequence
 * must have the same number of steps. Throws a UserError naming the file, the
 * 1-based line and the column of the first invalid row.
 */
export function parseCsvSequences(text: string, source: string): ParsedSequences {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0) {
    throw new UserError(`${source}: the file is empty; expected a header row such as ${HEADER_EXAMPLE} and one row per frame`);
  }
  const header = splitCsvRow(stripReturn(lines[headerIndex]))?.map((name) => name.trim());
  if (header === undefined || header.length < 4 || header[0] !== 'sequence' || header[1] !== 'step' || header[2] !== 'label') {
    throw new UserError(
      `${source}:${headerIndex + 1}: invalid header ${JSON.stringify(stripReturn(lines[headerIndex]))}: expected the columns sequence,step,label ` +
        `followed by at least one value column, such as ${HEADER_EXAMPLE}`,
    );
  }
  const frameSize = header.length - 3;

  const values = new ValueBuffer();
  const labels: string[] = [];
  const lineNumbers: number[] = [];
  const finished = new Map<string, number>();
  // The sequence that fixed the length that all others must have.
  const lengthOf = { frames: -1, id: '', line: 0 };
  let open: OpenSequence | undefined;

  const finishSequence = (sequence: OpenSequence): void => {
    if (lengthOf.frames < 0) {
      Object.assign(lengthOf, { frames: sequence.steps, id: sequence.id, line: sequence.firstLine });
    } else if (sequence.steps !== lengthOf.frames) {
      throw new UserError(
        `${source}:${sequence.firstLine}: invalid field "sequence": sequence ${JSON.stringify(sequence.id)} has ${countOf(sequence.steps, 'step')} ` +
          `but sequence ${JSON.stringify(lengthOf.id)} at line ${lengthOf.line} has ${lengthOf.frames}; ` +
          'all sequences must have the same length, so pad or trim them before loading',
      );
    }
    finished.set(sequence.id, sequence.firstLine);
    labels.push(sequence.label);
    lineNumbers.push(sequence.firstLine);
  };

  for (let index = headerIndex + 1; index < lines.length; index++) {
    const line = stripReturn(lines[index]);
    if (line.trim() === '') continue;
    const lineNumber = index + 1;
    const fail: (problem: string) => never = (problem) => {
      throw new UserError(`${source}:${lineNumber}: ${problem}`);
    };

    const fields = splitCsvRow(line);
    if (fields === undefined) fail('a quoted field is not closed; end it with a double quote, and write a quote inside a field as ""');
    if (fields.length !== header.length) fail(`the row has ${fields.length} fields but the header has ${header.length}`);
    const id = fields[0].trim();
    const stepText = fields[1].trim();
    const label = fields[2].trim();
    if (id === '') fail('invalid field "sequence": the sequence id is empty');
    if (!/^\d+$/.test(stepText)) fail(`invalid field "step": expected a non-negative integer, got ${JSON.stringify(stepText)}`);
    if (label === '') fail('invalid field "label": the label is empty');

    if (open === undefined || open.id !== id) {
      if (open !== undefined) finishSequence(open);
      const firstLine = finished.get(id);
      if (firstLine !== undefined) {
        fail(`invalid field "sequence": the rows of sequence ${JSON.stringify(id)} must be contiguous, but it already started at line ${firstLine}`);
      }
      open = { id, label, firstLine: lineNumber, steps: 0 };
    }
    const step = Number(stepText);
    if (step !== open.steps) {
      fail(`invalid field "step": expected step ${open.steps} of sequence ${JSON.stringify(id)}, got ${stepText}; list the steps 0, 1, 2, ... in order`);
    }
    if (label !== open.label) {
      fail(`invalid field "label": ${JSON.stringify(label)} differs from the label ${JSON.stringify(open.label)} at line ${open.firstLine}; every row of a sequence has its label`);
    }
    for (let column = 3; column < header.length; column++) {
      const value = parseDecimal(fields[column]);
      if (value === undefined) fail(`invalid field "${header[column]}": expected a finite number, got ${JSON.stringify(fields[column])}`);
      const overflow = describeFloat32Overflow(value);
      if (overflow !== undefined) fail(`invalid field "${header[column]}": ${overflow}`);
      values.push(value);
    }
    open.steps++;
  }

  if (open === undefined) {
    throw new UserError(`${source}: the file contains no sequences, only a header; add one row per frame such as s1,0,yes,0.5,1`);
  }
  finishSequence(open);

  const parsed: ParsedSequences = {
    source,
    count: labels.length,
    frames: lengthOf.frames,
    frameSize,
    values: values.toArray(),
    labels,
    integerLabels: labels.every(isIntegerLabel),
    locateLabel: (sequence) => ({ prefix: `${source}:${lineNumbers[sequence]}`, field: 'field "label"' }),
  };
  checkLabelCount(parsed);
  return parsed;
}

function stripReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Splits one CSV row into fields (RFC 4180 quoting within a line). Returns undefined when a quote is not closed. */
export function splitCsvRow(line: string): string[] | undefined {
  const fields: string[] = [];
  let position = 0;
  for (;;) {
    if (line[position] === '"') {
      let field = '';
      position++;
      for (;;) {
        const quote = line.indexOf('"', position);
        if (quote < 0) return undefined;
        field += line.slice(position, quote);
        if (line[quote + 1] === '"') {
          field += '"';
          position = quote + 2;
        } else {
          position = quote + 1;
          break;
        }
      }
      const comma = line.indexOf(',', position);
      // Text between the closing quote and the next comma is kept, as most CSV readers do.
      field += line.slice(position, comma < 0 ? line.length : comma);
      fields.push(field);
      if (comma < 0) return fields;
      position = comma + 1;
    } else {
      const comma = line.indexOf(',', position);
      fields.push(line.slice(position, comma < 0 ? line.length : comma));
      if (comma < 0) return fields;
      position = comma + 1;
    }
  }
}
