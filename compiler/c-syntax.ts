/**
 * Spelling of names, strings and numbers in emitted C: identifier prefixes that
 * are valid and unreserved C99, string literals and comments that survive any
 * input text, and int32 literals that are valid on 16-bit and 32-bit `int`.
 */
import { UserError } from '../common/errors.js';
import { INT32_MIN } from './fixed-point.js';
import { C_KEYWORDS, uniqueIdentifiers } from './identifiers.js';

export const DEFAULT_PREFIX = 'rc_model';
/** Longest prefix accepted, so that every emitted identifier stays within 63 significant characters. */
export const MAX_PREFIX_LENGTH = 40;

const PREFIX_PATTERN = /^[a-z][a-z0-9_]*$/;

/**
 * Derives a symbol prefix from a model name: lower case, runs of characters outside
 * [a-z0-9_] become one '_', a leading digit gets 'model_' in front, and an empty
 * result, a C keyword or a reserved name falls back to DEFAULT_PREFIX.
 */
export function prefixFromModelName(modelName: string): string {
  let prefix = modelName
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (/^[0-9]/.test(prefix)) prefix = `model_${prefix}`;
  prefix = prefix.slice(0, MAX_PREFIX_LENGTH).replace(/_+$/, '');
  if (prefix === '' || describePrefixProblem(prefix) !== undefined) return DEFAULT_PREFIX;
  return prefix;
}

/** Returns why a prefix is unusable in C, or undefined when it is fine. */
export function describePrefixProblem(prefix: string): string | undefined {
  if (!PREFIX_PATTERN.test(prefix)) return 'it must start with a lower-case letter and contain only a-z, 0-9 and _';
  if (prefix.length > MAX_PREFIX_LENGTH) return `it is longer than ${MAX_PREFIX_LENGTH} characters`;
  if (prefix.includes('__')) return 'identifiers containing "__" are reserved in C';
  if (C_KEYWORDS.has(prefix)) return 'it is a C keyword';
  const runtimeNamespace = prefix === 'rc' || prefix.startsWith('rc_');
  const defaultNamespace = prefix === DEFAULT_PREFIX || prefix.startsWith(`${DEFAULT_PREFIX}_`);
  if (runtimeNamespace && !defaultNamespace) return 'names starting with "rc_" belong to the C runtime (except "rc_model")';
  return undefined;
}

/** Validates a prefix given by the user (for example with --prefix). */
export function validatePrefix(prefix: string): string {
  const problem = describePrefixProblem(prefix);
  if (problem !== undefined) {
    throw new UserError(
      `invalid symbol prefix "${prefix}": ${problem}. Choose another one, for example "${prefixFromModelName(prefix)}".`,
    );
  }
  return prefix;
}

/**
 * Escapes text as the body of a C string literal. Printable ASCII stays as it is,
 * except '"', '\\' and '?' (which could start a trigraph). Every other byte of the
 * UTF-8 encoding becomes a three-digit octal escape, which cannot swallow the
 * characters that follow it the way a hex escape can.
 */
export function escapeCString(text: string): string {
  let escaped = '';
  for (const byte of new TextEncoder().encode(text)) {
    if (byte === 0x22 || byte === 0x5c || byte === 0x3f) escaped += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) escaped += String.fromCharCode(byte);
    else escaped += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return escaped;
}

/**
 * Makes text safe inside a C block comment: ASCII only, no line break, no
 * backslash (which could splice lines), no comment start or end, and no "??"
 * (which could start a trigraph). Replaced characters become '?'.
 */
export function escapeCComment(text: string): string {
  return text
    .replace(/[^\x20-\x7e]|\\/g, '?')
    .replace(/\*\//g, '* /')
    .replace(/\/\*/g, '/ *')
    .replace(/\?(?=\?)/g, '? ');
}

/** Maximum identifier length whose every character C99 compilers must treat as significant (internal names and macros). */
export const C_SIGNIFICANT_LENGTH = 63;

/**
 * Returns one macro name per class label, <PREFIX>_CLASS_<LABEL>: the label in
 * upper case with every run of other characters one '_', made unique with _2,
 * _3, ... when labels clash, and <PREFIX>_CLASS_<index> for a label without
 * letters or digits.
 */
export function classMacroNames(prefix: string, labels: readonly string[]): string[] {
  return uniqueIdentifiers(labels, {
    letterCase: 'upper',
    prefix: `${prefix.toUpperCase()}_CLASS_`,
    maxLength: C_SIGNIFICANT_LENGTH,
    fallback: (index) => String(index),
  });
}

/** Formats an int32 as a C constant that is valid where `int` has 16 or 32 bits. */
export function formatInt32(value: number): string {
  return value === INT32_MIN ? '(-2147483647 - 1)' : String(value);
}

/** Formats values as the lines of an array initializer, `perLine` values a line, each line indented. */
export function formatArrayBody(
  values: ArrayLike<number>,
  perLine = 16,
  indent = '  ',
  format: (value: number) => string = String,
): string {
  const lines: string[] = [];
  for (let start = 0; start < values.length; start += perLine) {
    const items: string[] = [];
    const end = Math.min(values.length, start + perLine);
    for (let k = start; k < end; k++) items.push(format(values[k]));
    lines.push(`${indent}${items.join(', ')}`);
  }
  return lines.join(',\n');
}
