import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../../common/errors.js';

/**
 * An array read from an IDX file, the format of the MNIST distribution: two zero
 * bytes, a type byte, a dimension count, the dimensions as big-endian uint32, then
 * the values in row-major order.
 */
export interface IdxArray {
  /** The file the array was read from, for error messages. */
  source: string;
  dims: number[];
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

const UNSIGNED_BYTE = 0x08;

/**
 * Parses the bytes of an IDX file of unsigned bytes, the only element type MNIST
 * uses. Throws a UserError naming `source` when the header or the size is invalid.
 */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < 4) {
    throw new UserError(`${source}: invalid IDX file: ${bytes.length} bytes is shorter than the 4-byte header; pass an uncorrupted IDX file`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new UserError(
      `${source}: invalid IDX magic number: the first two bytes are ${hexByte(bytes[0])} ${hexByte(bytes[1])}, expected 0x00 0x00; ` +
        'pass an IDX file such as train-images-idx3-ubyte (decompress .gz files or name them with the .gz suffix)',
    );
  }
  const type = bytes[2];
  if (type !== UNSIGNED_BYTE) {
    const typeName = TYPE_NAMES[type] ?? `unknown type ${hexByte(type)}`;
    throw new UserError(`${source}: unsupported IDX element type ${typeName}; only unsigned byte (0x08) files such as MNIST are supported`);
  }
  const dimCount = bytes[3];
  if (dimCount === 0) {
    throw new UserError(`${source}: invalid IDX header: the dimension count is 0; pass an IDX file with at least one dimension`);
  }
  const headerLength = 4 + 4 * dimCount;
  if (bytes.length < headerLength) {
    throw new UserError(
      `${source}: invalid IDX file: ${bytes.length} bytes is shorter than the ${headerLength}-byte header for ${dimCount} dimensions; the file is truncated`,
    );
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let elementCount = 1;
  for (let i = 0; i < dimCount; i++) {
    const dim = view.getUint32(4 + 4 * i, false);
    dims.push(dim);
    elementCount *= dim;
  }
  const dataLength = bytes.length - headerLength;
  if (dataLength !== elementCount) {
    throw new UserError(
      `${source}: invalid IDX file: the header declares dimensions [${dims.join(', ')}] = ${elementCount} values ` +
        `but the file contains ${dataLength} data bytes; the file is truncated or not an IDX file`,
    );
  }
  return { source, dims, data: bytes.subarray(headerLength) };
}

/**
 * Reads an IDX file of unsigned bytes. A name ending in `.gz` is decompressed first.
 * Throws a UserError naming the file when it is missing, unreadable or invalid.
 */
export function readIdxFile(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserError(`IDX file not found: ${path}; check the path or the --data-dir option`);
    }
    throw new UserError(`failed to read IDX file ${path}: ${(error as Error).message}`);
  }
  if (path.endsWith('.gz')) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new UserError(`failed to decompress ${path}: ${(error as Error).message}; pass a valid gzip file or the decompressed IDX file`);
    }
  }
  return parseIdx(bytes, path);
}

function hexByte(value: number): string {
  return `0x${value.toString(16).padStart(2, '0')}`;
}
