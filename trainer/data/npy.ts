import { UserError } from '../../common/errors.js';

/**
 * A reader for NumPy's .npy format, versions 1.0, 2.0 and 3.0. A file starts with
 * the magic string "\x93NUMPY", two version bytes and the header length, a
 * little-endian uint16 in version 1 and uint32 later. The header is a Python dict
 * literal with the keys 'descr', 'fortran_order' and 'shape', and the raw values
 * follow it. Only little-endian numeric arrays in C order are supported.
 */

export type NpyDtype = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float32' | 'float64';

/** The byte size and the DataView reader of each supported element type. */
const ELEMENT_TYPES: Record<string, { dtype: NpyDtype; size: number; read: (view: DataView, offset: number) => number }> = {
  i1: { dtype: 'int8', size: 1, read: (view, offset) => view.getInt8(offset) },
  u1: { dtype: 'uint8', size: 1, read: (view, offset) => view.getUint8(offset) },
  i2: { dtype: 'int16', size: 2, read: (view, offset) => view.getInt16(offset, true) },
  u2: { dtype: 'uint16', size: 2, read: (view, offset) => view.getUint16(offset, true) },
  i4: { dtype: 'int32', size: 4, read: (view, offset) => view.getInt32(offset, true) },
  u4: { dtype: 'uint32', size: 4, read: (view, offset) => view.getUint32(offset, true) },
  // NOTE: int64 and uint64 values beyond 2^53 lose precision when read as numbers.
  i8: { dtype: 'int64', size: 8, read: (view, offset) => Number(view.getBigInt64(offset, true)) },
  u8: { dtype: 'uint64', size: 8, read: (view, offset) => Number(view.getBigUint64(offset, true)) },
  f4: { dtype: 'float32', size: 4, read: (view, offset) => view.getFloat32(offset, true) },
  f8: { dtype: 'float64', size: 8, read: (view, offset) => view.getFloat64(offset, true) },
};

const SUPPORTED_DESCRS = "'<f4', '<f8', '|u1', '|i1', '<i2', '<u2', '<i4', '<u4', '<i8' or '<u8'";
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** An array read from a .npy file. */
export class NpyArray {
  constructor(
    /** The file the array was read from, for error messages. */
    readonly source: string,
    readonly dtype: NpyDtype,
    readonly shape: number[],
    private readonly view: DataView,
    private readonly elementSize: number,
    private readonly readElement: (view: DataView, offset: number) => number,
  ) {}

  /** Number of elements: the product of the shape. */
  get size(): number {
    return this.shape.reduce((product, dim) => product * dim, 1);
  }

  /** Returns element `index` of the array in C (row-major) order, as a number. */
  get(index: number): number {
    return this.readElement(this.view, index * this.elementSize);
  }
}

/** Formats a shape as a Python tuple, as numpy prints it: (2,) or (2, 3). */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** Parses the bytes of a .npy file. Throws a UserError naming `source` when the file is invalid or unsupported. */
export function parseNpy(bytes: Uint8Array, source: string): NpyArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 10 || MAGIC.some((byte, i) => bytes[i] !== byte)) {
    const zip = bytes[0] === 0x50 && bytes[1] === 0x4b;
    throw new UserError(
      zip
        ? `${source}: .npz archives are not supported; save each array on its own with numpy.save`
        : `${source}: invalid .npy file: it does not start with the magic string \\x93NUMPY; save the array with numpy.save`,
    );
  }
  const major = bytes[6];
  if (major < 1 || major > 3) {
    throw new UserError(`${source}: unsupported .npy format version ${major}.${bytes[7]}; expected 1.0, 2.0 or 3.0 as written by numpy.save`);
  }
  const lengthSize = major === 1 ? 2 : 4;
  const headerStart = 8 + lengthSize;
  if (bytes.length < headerStart) throw new UserError(`${source}: invalid .npy file: the header is truncated`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) {
    throw new UserError(`${source}: invalid .npy file: the header length is ${headerLength} bytes but only ${bytes.length - headerStart} follow`);
  }
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const header = parseHeader(headerText, source);
  const element = checkDescr(header.descr, source);

  const shape = header.shape;
  const size = shape.reduce((product, dim) => product * dim, 1);
  const expectedBytes = size * element.size;
  const dataBytes = bytes.length - dataStart;
  if (dataBytes !== expectedBytes) {
    throw new UserError(
      `${source}: invalid .npy file: shape ${formatShape(shape)} of ${element.dtype} needs ${expectedBytes} data bytes but the file has ${dataBytes}; ` +
        'the file is truncated or not a plain numpy.save output',
    );
  }
  const dataView = new DataView(bytes.buffer, bytes.byteOffset + dataStart, dataBytes);
  return new NpyArray(source, element.dtype, shape, dataView, element.size, element.read);
}

interface NpyHeader {
  descr: string;
  shape: number[];
}

function checkDescr(descr: string, source: string): (typeof ELEMENT_TYPES)[string] {
  const order = descr[0];
  const code = descr.slice(1);
  const element = ELEMENT_TYPES[code];
  if (element === undefined || !['<', '>', '|'].includes(order)) {
    throw new UserError(`${source}: unsupported .npy element type '${descr}'; expected ${SUPPORTED_DESCRS}; convert with array.astype('<f4')`);
  }
  if (order === '>' && element.size > 1) {
    throw new UserError(`${source}: big-endian .npy arrays ('${descr}') are not supported; convert with array.astype('<${code}') before numpy.save`);
  }
  if (order === '|' && element.size > 1) {
    throw new UserError(`${source}: invalid .npy element type '${descr}': a ${element.size}-byte type needs the byte order '<'`);
  }
  return element;
}

/** Parses the header dict, for example {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }. */
function parseHeader(text: string, source: string): NpyHeader {
  const parser: HeaderParser = new HeaderParser(text, source);
  const dict = parser.parseDict();
  const keys = Object.keys(dict).sort();
  if (keys.join(',') !== 'descr,fortran_order,shape') {
    parser.fail(`the header has the keys ${keys.join(', ') || '(none)'}, expected exactly descr, fortran_order and shape`);
  }
  const { descr, fortran_order: fortranOrder, shape } = dict;
  if (typeof descr !== 'string') {
    parser.fail('structured arrays are not supported: descr must be a type string such as \'<f4\'');
  }
  if (typeof fortranOrder !== 'boolean') parser.fail('fortran_order must be True or False');
  if (fortranOrder) {
    throw new UserError(`${source}: Fortran-order .npy arrays are not supported; save numpy.ascontiguousarray(array) instead`);
  }
  if (!Array.isArray(shape)) parser.fail('shape must be a tuple of integers such as (100, 25, 1)');
  return { descr, shape };
}

type HeaderValue = string | boolean | number | number[];

/** A recursive-descent parser of the small subset of Python literals that .npy headers use. */
class HeaderParser {
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  fail(reason: string): never {
    throw new UserError(`${this.source}: invalid .npy header ${JSON.stringify(this.text.trimEnd())}: ${reason}; save the array with numpy.save`);
  }

  parseDict(): Record<string, HeaderValue> {
    const dict: Record<string, HeaderValue> = {};
    this.expect('{');
    while (!this.accept('}')) {
      const key = this.parseString();
      this.expect(':');
      dict[key] = this.parseValue();
      if (!this.accept(',')) {
        this.expect('}');
        break;
      }
    }
    this.skipSpace();
    if (this.position !== this.text.length) this.fail(`unexpected text after the closing brace at offset ${this.position}`);
    return dict;
  }

  private parseValue(): HeaderValue {
    this.skipSpace();
    const rest = this.text.slice(this.position);
    if (rest.startsWith("'") || rest.startsWith('"')) return this.parseString();
    if (rest.startsWith('True')) return this.advance(4, true);
    if (rest.startsWith('False')) return this.advance(5, false);
    if (rest.startsWith('(')) return this.parseTuple();
    return this.parseInteger();
  }

  private parseTuple(): number[] {
    const values: number[] = [];
    this.expect('(');
    while (!this.accept(')')) {
      values.push(this.parseInteger());
      if (!this.accept(',')) {
        this.expect(')');
        break;
      }
    }
    return values;
  }

  private parseInteger(): number {
    this.skipSpace();
    const match = /^\d+/.exec(this.text.slice(this.position));
    if (match === null) this.fail(`expected a non-negative integer at offset ${this.position}`);
    const value = Number(match[0]);
    if (!Number.isSafeInteger(value)) this.fail(`dimension ${match[0]} is too large`);
    return this.advance(match[0].length, value);
  }

  private parseString(): string {
    this.skipSpace();
    const quote = this.text[this.position];
    if (quote !== "'" && quote !== '"') this.fail(`expected a quoted string at offset ${this.position}`);
    const end = this.text.indexOf(quote, this.position + 1);
    if (end < 0) this.fail('a string is not closed');
    const value = this.text.slice(this.position + 1, end);
    this.position = end + 1;
    return value;
  }

  private advance<T>(length: number, value: T): T {
    this.position += length;
    return value;
  }

  private skipSpace(): void {
    while (this.position < this.text.length && /\s/.test(this.text[this.position])) this.position++;
  }

  private accept(token: string): boolean {
    this.skipSpace();
    if (this.text[this.position] !== token) return false;
    this.position++;
    return true;
  }

  private expect(token: string): void {
    if (!this.accept(token)) this.fail(`expected '${token}' at offset ${this.position}`);
  }
}
