import { UserError } from '../../common/errors.js';
import { checkLabelCount, countOf, describeFloat32Overflow, type ParsedSequences, ValueBuffer } from './user-sequences.js';

const RECORD_EXAMPLE = '{"label": "yes", "frames": [[0.5, 1], [0.25, 0]]}';

/**
 * Parses JSON Lines sequences: one JSON object per line with a "label" (a non-empty
 * string or a non-negative integer) and "frames" (an array of frames, each an array
 * of finite numbers). Blank lines are skipped and other fields are ignored. Every
 * sequence must have the same number of frames and every frame the same width.
 * Throws a UserError naming the file, the 1-based line and the field of the first
 * invalid record.
 */
export function parseJsonlSequences(text: string, source: string): ParsedSequences {
  const values = new ValueBuffer();
  const labels: string[] = [];
  const lineNumbers: number[] = [];
  let shape: { frames: number; frameSize: number; line: number } | undefined;
  let labelKind: { integer: boolean; line: number } | undefined;

  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (line.trim() === '') continue;
    const lineNumber = index + 1;
    const fail: (problem: string) => never = (problem) => {
      throw new UserError(`${source}:${lineNumber}: ${problem}`);
    };

    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      fail(`invalid JSON (${(error as Error).message}); each line must be one JSON object such as ${RECORD_EXAMPLE}`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      fail(`expected a JSON object with the fields "label" and "frames", got ${describe(record)}; write one record per line such as ${RECORD_EXAMPLE}`);
    }
    const fields = record as Record<string, unknown>;

    const label = fields.label;
    if (label === undefined) fail('missing field "label"; add the class of the sequence, a string or a non-negative integer');
    const integer = typeof label === 'number' && Number.isInteger(label) && label >= 0;
    if (!integer && !(typeof label === 'string' && label !== '')) {
      fail(`invalid field "label": expected a non-empty string or a non-negative integer, got ${describe(label)}`);
    }
    if (labelKind === undefined) {
      labelKind = { integer, line: lineNumber };
    } else if (labelKind.integer !== integer) {
      fail(
        `invalid field "label": ${JSON.stringify(label)} is ${integer ? 'an integer' : 'a string'} but the label at line ${labelKind.line} is ` +
          `${labelKind.integer ? 'an integer' : 'a string'}; use one label type in a file`,
      );
    }

    const frames = fields.frames;
    if (frames === undefined) fail('missing field "frames"; add the sequence as an array of frames, each an array of numbers');
    if (!Array.isArray(frames)) fail(`invalid field "frames": expected an array of frames, each an array of numbers, got ${describe(frames)}`);
    if (frames.length === 0) fail('invalid field "frames": the sequence has no frames; add at least one frame');
    if (shape !== undefined && frames.length !== shape.frames) {
      fail(
        `invalid field "frames": the sequence has ${countOf(frames.length, 'frame')} but the sequence at line ${shape.line} has ${shape.frames}; ` +
          'all sequences must have the same length, so pad or trim them before loading',
      );
    }

    for (let step = 0; step < frames.length; step++) {
      const frame: unknown = frames[step];
      if (!Array.isArray(frame)) fail(`invalid field "frames[${step}]": expected an array of numbers, got ${describe(frame)}`);
      if (frame.length === 0) fail(`invalid field "frames[${step}]": the frame has no values; every frame needs at least one value`);
      if (step > 0 && frame.length !== frames[0].length) {
        fail(`invalid field "frames[${step}]": the frame has ${countOf(frame.length, 'value')} but frames[0] has ${frames[0].length}; all frames must have the same width`);
      }
      if (shape !== undefined && frame.length !== shape.frameSize) {
        fail(
          `invalid field "frames[${step}]": the frame has ${countOf(frame.length, 'value')} but the frames at line ${shape.line} have ${shape.frameSize}; ` +
            'all frames must have the same width',
        );
      }
      for (let position = 0; position < frame.length; position++) {
        const value: unknown = frame[position];
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          fail(`invalid field "frames[${step}][${position}]": expected a finite number, got ${describe(value)}`);
        }
        const overflow = describeFloat32Overflow(value);
        if (overflow !== undefined) fail(`invalid field "frames[${step}][${position}]": ${overflow}`);
        values.push(value);
      }
    }

    shape ??= { frames: frames.length, frameSize: (frames[0] as unknown[]).length, line: lineNumber };
    labels.push(String(label));
    lineNumbers.push(lineNumber);
  }

  if (shape === undefined) {
    throw new UserError(`${source}: the file contains no sequences; write one JSON record per line such as ${RECORD_EXAMPLE}`);
  }
  const parsed: ParsedSequences = {
    source,
    count: labels.length,
    frames: shape.frames,
    frameSize: shape.frameSize,
    values: values.toArray(),
    labels,
    integerLabels: labelKind?.integer ?? false,
    locateLabel: (sequence) => ({ prefix: `${source}:${lineNumbers[sequence]}`, field: 'field "label"' }),
  };
  checkLabelCount(parsed);
  return parsed;
}

/** Describes a JSON value for an error message: the value itself when short, else its type. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  // JSON.stringify writes non-finite numbers (such as 1e999 parsed to Infinity) as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  return text.length <= 40 ? text : `${text.slice(0, 37)}...`;
}
