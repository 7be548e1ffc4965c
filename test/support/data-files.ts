import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../common/errors.js';
import type { FrameSequences } from '../../trainer/data/frames.js';

/** Creates a fresh temporary folder for one test file's data files. */
export function makeDataDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rankcode-${prefix}-`));
}

/** Writes `contents` to `name` in `dir` and returns the path. */
export function writeDataFile(dir: string, name: string, contents: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
}

/** Asserts that `action` throws a UserError whose message is exactly `message`, or matches it when it is a RegExp. */
export function assertUserError(action: () => unknown, message: string | RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

/** Returns every frame of `example` as arrays of values, read through writeFrame. */
export function readSequence(set: FrameSequences, example: number): number[][] {
  const sequence: number[][] = [];
  for (let step = 0; step < set.frames; step++) {
    const frame = new Float32Array(set.frameSize);
    set.writeFrame(example, step, frame, 0);
    sequence.push(Array.from(frame));
  }
  return sequence;
}

/**
 * Encodes a .npy file (format version 1.0 unless given) the way numpy.save lays it
 * out: the header is padded with spaces and a newline to a multiple of 64 bytes.
 * `descr` selects the element type and byte order, such as '<f4' or '>i2'.
 */
export function npyBytes(
  descr: string,
  shape: number[],
  values: number[],
  options: { version?: 1 | 2 | 3; fortranOrder?: boolean; header?: string } = {},
): Uint8Array {
  const version = options.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = options.header ?? `{'descr': '${descr}', 'fortran_order': ${options.fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const lengthSize = version === 1 ? 2 : 4;
  const unpadded = 8 + lengthSize + dict.length + 1;
  const header = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';

  const littleEndian = descr[0] !== '>';
  const code = descr.slice(1);
  const size = Number(code.slice(1));
  const data = new DataView(new ArrayBuffer(values.length * size));
  values.forEach((value, index) => {
    const offset = index * size;
    switch (code) {
      case 'f4': data.setFloat32(offset, value, littleEndian); break;
      case 'f8': data.setFloat64(offset, value, littleEndian); break;
      case 'u1': data.setUint8(offset, value); break;
      case 'i1': data.setInt8(offset, value); break;
      case 'i2': data.setInt16(offset, value, littleEndian); break;
      case 'u2': data.setUint16(offset, value, littleEndian); break;
      case 'i4': data.setInt32(offset, value, littleEndian); break;
      case 'u4': data.setUint32(offset, value, littleEndian); break;
      case 'i8': data.setBigInt64(offset, BigInt(value), littleEndian); break;
      case 'u8': data.setBigUint64(offset, BigInt(value), littleEndian); break;
      default: throw new Error(`npyBytes cannot encode ${descr}`);
    }
  });

  const bytes = new Uint8Array(8 + lengthSize + header.length + data.byteLength);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(bytes.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  bytes.set(new TextEncoder().encode(header), 8 + lengthSize);
  bytes.set(new Uint8Array(data.buffer), 8 + lengthSize + header.length);
  return bytes;
}
