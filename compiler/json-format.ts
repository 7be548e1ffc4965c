/**
 * Stable, diff-friendly JSON for generated files (qmodel.json, report.json, golden
 * vectors). Objects get one key per line. An array of numbers or strings stays on
 * one line, so a weight matrix takes one line instead of one line per value. The
 * output depends only on the value, so the same input gives the same bytes.
 */
export function formatJson(value: unknown): string {
  return `${formatValue(value, '')}\n`;
}

function isFlatArray(value: unknown[]): boolean {
  return value.every((item) => item === null || typeof item !== 'object');
}

function formatValue(value: unknown, indent: string): string {
  if (value instanceof Int32Array || value instanceof Float64Array || value instanceof Int8Array) {
    return formatValue(Array.from(value), indent);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (isFlatArray(value)) return `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
    const inner = indent + '  ';
    return `[\n${value.map((item) => inner + formatValue(item, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    const lines = entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${formatValue(item, inner)}`);
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
