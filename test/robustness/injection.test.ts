/**
 * Model text cannot inject code. The test model's name, layer names and labels
 * contain quotes, backslashes, comment ends, line breaks, U+2028/2029,
 * non-ASCII, trigraphs, terminal escapes and reserved words. It is loaded,
 * compiled for C and wasm and built (gcc -Werror, AssemblyScript). Its labels
 * must come back exactly through the C labels array and the JS loader.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import ts from 'typescript';
import { escapeTerminalControls, setLogLevel } from '../../common/log.js';
import { classMacroNames, describePrefixProblem, escapeCComment, escapeCString, prefixFromModelName } from '../../compiler/c-syntax.js';
import { emitTargets } from '../../compiler/emit.js';
import { C_KEYWORDS, JS_RESERVED_WORDS, uniqueIdentifiers } from '../../compiler/identifiers.js';
import { loadModel } from '../../compiler/loader.js';
import type { QModel } from '../../compiler/qmodel.js';
import { quantizeModel } from '../../compiler/quantize.js';
import { PACKAGE_ROOT } from '../../compiler/render.js';
import { buildReport } from '../../compiler/report.js';
import { quoteText } from '../../compiler/targets/wasm-view.js';
import type { LoaderModule } from '../runtime-as/wasm-harness.js';
import { buildCBatch, C_WARNING_FLAGS, hasCommand, parseLabelsLine, removeCBatch, runHarness } from './c-batch.js';
import { writeFixture } from './model-fixture.js';

setLogLevel('error');
const root = mkdtempSync(join(tmpdir(), 'rankcode-injection-'));
after(() => rmSync(root, { recursive: true, force: true }));

export const HOSTILE_LABELS = [
  'yes',
  'say "hi"',
  'back\\slash\\',
  'end */ int injected = 1; /*',
  '/* open',
  '// line comment',
  'line\nbreak #include <stdlib.h>',
  'cr\rlf',
  'sep\u2028line\u2029para',
  'trigraph ??/',
  '??=define',
  'é中😀',
  '\u0001\u001b[2J\u007f\u0085',
  '</script><script>alert(1)</script>',
  "'); process.exit(1); ('",
  '`${process.exit(1)}`',
  'int',
  'return',
  '__proto__',
  'constructor',
  '',
  'YES',
  'yes!',
  '\\u0041\\x41\\101',
  '\t tab \v\f',
  '\u202eevil\u202c',
  'x'.repeat(300),
];

const MODEL_NAME = 'int */ #error "injected"\n';
const LSTM_NAME = 'lstm\n#error injected\u2028';
const DENSE_NAME = 'de/nse "x" */ ??/';

const HAS_GCC = hasCommand('gcc');

describe('model text in generated code', () => {
  let qmodel: QModel;
  let outDir: string;

  before(async () => {
    const fixture = writeFixture(join(root, 'model'), {
      classes: HOSTILE_LABELS.length,
      labels: HOSTILE_LABELS,
      modelName: MODEL_NAME,
      lstmName: LSTM_NAME,
      denseName: DENSE_NAME,
      layout: 'keras',
    });
    const model = loadModel(fixture.modelPath);
    qmodel = quantizeModel(model);
    outDir = join(root, 'out');
    await emitTargets(qmodel, buildReport(qmodel), { targets: ['c', 'wasm'], outDir, force: false });
  });

  it('loads names and labels unchanged', () => {
    assert.equal(qmodel.name, MODEL_NAME);
    assert.deepEqual(qmodel.labels, HOSTILE_LABELS);
    assert.deepEqual(qmodel.layers.map((layer) => layer.name), [LSTM_NAME, DENSE_NAME]);
  });

  it('derives a valid C prefix from the model name', () => {
    const prefix = prefixFromModelName(MODEL_NAME);
    assert.equal(describePrefixProblem(prefix), undefined);
    assert.equal(prefix, 'int_error_injected');
  });

  it('writes JSON that parses back to the same text', () => {
    for (const target of ['c', 'wasm']) {
      const written = JSON.parse(readFileSync(join(outDir, target, 'qmodel.json'), 'utf8')) as QModel;
      assert.deepEqual(written.labels, HOSTILE_LABELS, `${target}/qmodel.json labels`);
      assert.equal(written.name, MODEL_NAME, `${target}/qmodel.json name`);
      const report = JSON.parse(readFileSync(join(outDir, target, 'report.json'), 'utf8'));
      assert.equal(report.model.name, MODEL_NAME, `${target}/report.json name`);
    }
  });

  it('keeps model text inside comments and strings', () => {
    const files = ['c/int_error_injected_model.c', 'c/int_error_injected_model.h', 'wasm/model.js', 'wasm/model.d.ts', 'wasm/src/model.ts'];
    for (const file of files) {
      const text = readFileSync(join(outDir, file), 'utf8');
      const code = codeOutsideCommentsAndStrings(text);
      // The model name becomes the C prefix int_error_injected, so "injected" alone may appear in identifiers.
      for (const word of ['injected =', 'exit(', 'alert(', 'evil', 'include <stdlib']) assert.ok(!code.includes(word), `${file}: "${word}" outside comments and strings`);
      assert.ok(!/^\s*#\s*error\s*"?injected/m.test(text), `${file}: no model text becomes a directive`);
      if (file.startsWith('c/')) assert.ok(!/\?\?[=/'()!<>-]/.test(text), `${file}: no trigraph`);
      assert.ok(!/[\u2028\u2029\u202e]/.test(text), `${file}: no line separator or bidirectional override`);
    }
  });

  it('compiles the C output with -Werror', { skip: HAS_GCC ? false : 'gcc not found' }, () => {
    const folder = join(outDir, 'c');
    const compilers = ['gcc', ...(hasCommand('clang') ? ['clang'] : [])];
    for (const compiler of compilers) {
      for (const source of readdirSync(folder).filter((name) => name.endsWith('.c'))) {
        const compile = spawnSync(compiler, [...C_WARNING_FLAGS, '-Wtrigraphs', '-O1', '-c', join(folder, source), '-o', join(root, `${compiler}-${source}.o`)], {
          encoding: 'utf8',
        });
        assert.equal(compile.status, 0, `${compiler} ${source}:\n${compile.stderr}`);
      }
    }
  });

  it('round-trips labels through the C labels array', { skip: HAS_GCC ? false : 'gcc not found' }, async () => {
    const batch = await buildCBatch([qmodel], ['-O1']);
    try {
      const run = await runHarness(batch.binary, 'labels 0\n');
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(parseLabelsLine(run.lines[0]), HOSTILE_LABELS);
    } finally {
      removeCBatch(batch);
    }
  });

  it('defines one unique class macro per label', { skip: HAS_GCC ? false : 'gcc not found' }, () => {
    const folder = join(outDir, 'c');
    const header = readFileSync(join(folder, 'int_error_injected_model.h'), 'utf8');
    const defined = [...header.matchAll(/^#define (INT_ERROR_INJECTED_CLASS_\w*) (\d+) /gm)];
    const expected = classMacroNames('int_error_injected', HOSTILE_LABELS);
    assert.deepEqual(defined.map((match) => match[1]), expected);
    assert.deepEqual(defined.map((match) => Number(match[2])), HOSTILE_LABELS.map((_, k) => k));
    assert.equal(new Set(expected).size, expected.length);
    assert.ok(expected.includes('INT_ERROR_INJECTED_CLASS_YES'), 'the first of two clashing labels keeps its name');
    assert.ok(expected.includes('INT_ERROR_INJECTED_CLASS_YES_2'), 'the second of two clashing labels gets a suffix');
    assert.ok(expected.includes('INT_ERROR_INJECTED_CLASS_20'), 'an empty label gets its index');

    const program = join(root, 'macros.c');
    writeFileSync(
      program,
      `#include <stdio.h>\n#include "int_error_injected_model.h"\nint main(void) {\n  static const int indices[] = { ${expected.join(', ')} };\n` +
        '  size_t k;\n  for (k = 0; k < sizeof indices / sizeof indices[0]; k++) printf("%d\\n", indices[k]);\n  return 0;\n}\n',
    );
    const binary = join(root, 'macros');
    const sources = readdirSync(folder).filter((name) => name.endsWith('.c')).map((name) => join(folder, name));
    const compile = spawnSync('gcc', [...C_WARNING_FLAGS, `-I${folder}`, program, ...sources, '-o', binary], { encoding: 'utf8' });
    assert.equal(compile.status, 0, compile.stderr);
    const printed = spawnSync(binary, [], { encoding: 'utf8' }).stdout.trim().split('\n').map(Number);
    assert.deepEqual(printed, HOSTILE_LABELS.map((_, k) => k));
  });

  it('round-trips labels and the name through the JS loader', async () => {
    const folder = join(outDir, 'wasm');
    const loader = (await import(pathToFileURL(join(folder, 'model-node.js')).href)) as LoaderModule & {
      loadModel(): Promise<ReturnType<LoaderModule['createModelSync']>>;
    };
    assert.deepEqual([...loader.modelInfo.labels], HOSTILE_LABELS);
    assert.equal(loader.modelInfo.name, MODEL_NAME);
    const model = await loader.loadModel();
    assert.deepEqual([...model.labels], HOSTILE_LABELS);
    const result = model.step(new Int8Array(qmodel.inputSize));
    assert.equal(result.label, HOSTILE_LABELS[result.classIndex]);
  });

  it('writes TypeScript declarations without syntax errors', () => {
    for (const file of ['model.d.ts', 'model-node.d.ts']) {
      const path = join(outDir, 'wasm', file);
      const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
      const diagnostics = (source as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
      assert.deepEqual(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), [], file);
    }
  });

  it('keeps AssemblyScript comments on one line', () => {
    const source = readFileSync(join(outDir, 'wasm', 'src', 'model.ts'), 'utf8');
    assert.ok(!/^\s*#\s*error\s*"?injected/m.test(source), 'no layer name ends a comment line');
    assert.ok(!/[\u2028\u2029]/.test(source), 'no Unicode line separators');
  });
});

describe('escaping helpers', () => {
  const anyText = fc.string({ unit: 'binary', maxLength: 40 });

  it('escapeCComment leaves no way out of a comment', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const escaped = escapeCComment(text);
        assert.ok(/^[\x20-\x7e]*$/.test(escaped), 'printable ASCII only');
        assert.ok(!escaped.includes('*/'), 'no comment end');
        assert.ok(!escaped.includes('/*'), 'no comment start');
        assert.ok(!escaped.includes('??'), 'no trigraph');
        assert.ok(!escaped.includes('\\'), 'no line splice');
        // Surrounded by a comment, the text cannot end it early.
        assert.ok(!`/* ${escaped} */`.slice(2, -2).includes('*/'));
      }),
    );
  });

  it('escapeCString encodes the UTF-8 bytes exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (text) => {
        const escaped = escapeCString(text);
        assert.ok(/^[\x20-\x7e]*$/.test(escaped), 'printable ASCII only');
        assert.deepEqual(decodeCStringBody(escaped), Buffer.from(text, 'utf8'));
      }),
    );
  });

  it('quoteText gives a JS and JSON literal of the same text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const quoted = quoteText(text);
        assert.ok(/^"[\x20-\x7e]*"$/.test(quoted), 'one ASCII line');
        assert.equal(JSON.parse(quoted), text);
        assert.equal(new Function(`return ${quoted};`)(), text);
      }),
    );
  });

  it('uniqueIdentifiers gives valid, unreserved, distinct names', () => {
    const texts = fc.array(fc.oneof(anyText, fc.constantFrom('int', 'return', 'await', 'i32', 'YES', 'yes', '', '9lives', 'x'.repeat(80))), { maxLength: 12 });
    fc.assert(
      fc.property(texts, fc.constantFrom<'lower' | 'upper'>('lower', 'upper'), fc.constantFrom('', 'kws_'), (list, letterCase, prefix) => {
        const names = uniqueIdentifiers(list, { letterCase, prefix, maxLength: 31, fallback: (k) => `item_${k}` });
        assert.equal(names.length, list.length);
        assert.equal(new Set(names).size, names.length, 'distinct');
        for (const name of names) {
          assert.match(name, /^[A-Za-z][A-Za-z0-9_]*$/);
          assert.ok(name.length <= 31, name);
          assert.ok(!C_KEYWORDS.has(name), `${name} is a C keyword`);
          assert.ok(!JS_RESERVED_WORDS.has(name), `${name} is reserved in JS or AssemblyScript`);
          assert.ok(!name.includes('__'), name);
        }
      }),
    );
  });

  it('escapeTerminalControls hides terminal escapes', () => {
    assert.equal(escapeTerminalControls('a\u001b[2Jb\r\u009b\u202e'), 'a\\u001b[2Jb\\u000d\\u009b\\u202e');
    assert.equal(escapeTerminalControls('line\n\ttab é'), 'line\n\ttab é');
  });
});

/**
 * Returns the source with every comment and string literal removed (C, JS and
 * AssemblyScript syntax: block and line comments, '', "" and `` literals with
 * backslash escapes), so a test can check what a compiler parses as code.
 */
function codeOutsideCommentsAndStrings(source: string): string {
  let code = '';
  let k = 0;
  while (k < source.length) {
    if (source.startsWith('/*', k)) {
      const end = source.indexOf('*/', k + 2);
      k = end < 0 ? source.length : end + 2;
      code += ' ';
    } else if (source.startsWith('//', k)) {
      const end = source.indexOf('\n', k);
      k = end < 0 ? source.length : end;
    } else if (source[k] === '"' || source[k] === "'" || source[k] === '`') {
      const quote = source[k];
      k++;
      while (k < source.length && source[k] !== quote) k += source[k] === '\\' ? 2 : 1;
      k++;
      code += ' ';
    } else {
      code += source[k++];
    }
  }
  return code;
}

/** Decodes the body of a C string literal as a C compiler does, for the escapes escapeCString writes. */
function decodeCStringBody(body: string): Buffer {
  const bytes: number[] = [];
  for (let k = 0; k < body.length; k++) {
    const c = body[k];
    if (c !== '\\') {
      bytes.push(c.charCodeAt(0));
      continue;
    }
    const next = body[k + 1];
    if (/[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(body.slice(k + 1))![0];
      bytes.push(parseInt(octal, 8));
      k += octal.length;
    } else {
      bytes.push(next.charCodeAt(0));
      k += 1;
    }
  }
  return Buffer.from(bytes);
}

describe('rc-compile output of model text', () => {
  it('escapes terminal controls in error messages', () => {
    const fixture = writeFixture(join(root, 'terminal'), {
      lstmName: 'lstm\u001b[2J\u001b]0;owned\u0007',
      edit: (json) => (json.modelTopology.config.layers[0].config.go_backwards = true),
    });
    const result = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'rc-compile.js'), fixture.modelPath, '--target', 'c', '--out', join(root, 'terminal-out')], {
      encoding: 'utf8',
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /LSTM layer "lstm\\u001b\[2J\\u001b\]0;owned\\u0007" has go_backwards set/);
    assert.ok(!result.stderr.includes('\u001b'), 'no raw escape character reaches the terminal');
  });
});
