/**
 * The arduino target: an Arduino library folder (library specification 1.5)
 * around the sources of the cortex-m target.
 *   library.properties                      name rankcode_<prefix>, includes <prefix>_model.h
 *   src/                                    <prefix>_model.h/.c, rc_runtime.h/.c, rc_cortex_m.h/.c
 *   examples/SerialSpikes/SerialSpikes.ino  reads int8 frames from Serial, prints each spike
 * The kernels choose the Arm DSP extension at compile time, so one library
 * serves Cortex-M4 boards and boards without it (AVR, Cortex-M0+).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert } from '../../common/errors.js';
import { escapeCComment } from '../c-syntax.js';
import { PACKAGE_ROOT, renderTemplate } from '../render.js';
import type { EmitContext, EmittedFile, TargetDriver, TargetManifest } from '../target.js';
import { type QDenseLayer, classCountOf } from '../qmodel.js';
import { emitCortexMSources, supportedLayers } from './cortex-m.js';

const TARGET_FOLDER = 'targets/arduino';
export const EXAMPLE_NAME = 'SerialSpikes';
/**
 * The library URL when package.json has no homepage. The Arduino IDE requires
 * the field, and .invalid is a reserved domain (RFC 2606) that no real page uses.
 */
const FALLBACK_URL = 'https://rankcode.invalid/';

/** Output path of each template of the manifest. */
const TEMPLATE_OUTPUTS: Record<string, string> = {
  'templates/library.properties.mustache': 'library.properties',
  'templates/example.ino.mustache': `examples/${EXAMPLE_NAME}/${EXAMPLE_NAME}.ino`,
};

/** Library name for a symbol prefix: letters, digits and underscores, starting with a letter, at most 63 characters. */
export function libraryNameFor(prefix: string): string {
  return `rankcode_${prefix}`;
}

/** Makes text safe as a one-line value of library.properties: printable ASCII, no backslash. */
function propertiesValue(text: string): string {
  return text.replace(/[^\x20-\x7e]|\\/g, '?');
}

function readManifest(): TargetManifest {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, TARGET_FOLDER, 'manifest.json'), 'utf8')) as TargetManifest;
  const expected = Object.keys(TEMPLATE_OUTPUTS).sort();
  assert(
    manifest.name === 'arduino' && JSON.stringify([...manifest.templates].sort()) === JSON.stringify(expected),
    () => `${TARGET_FOLDER}/manifest.json lists ${manifest.templates.join(', ')}, but the arduino driver renders ${expected.join(', ')}`,
  );
  return manifest;
}

function readHomepage(): string | undefined {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { homepage?: unknown };
  return typeof pkg.homepage === 'string' ? pkg.homepage : undefined;
}

/** Names the score that the spike test compares with theta, for the sketch's comment. */
function spikeSubjectOf(output: QDenseLayer): string {
  if (output.activation !== 'sigmoid') return 'top softmax probability';
  if (output.units > 1) return 'top sigmoid output';
  return 'class score (y for class 1, 1 - y for class 0, y the sigmoid output)';
}

function buildView(context: EmitContext, template: string): Record<string, unknown> {
  const { qmodel, prefix } = context;
  const { lstm, dense } = supportedLayers(qmodel);
  const modelName = propertiesValue(escapeCComment(qmodel.name));
  return {
    prefix,
    macroPrefix: prefix.toUpperCase(),
    libraryName: libraryNameFor(prefix),
    exampleName: EXAMPLE_NAME,
    version: context.compilerVersion,
    template,
    modelName,
    sourceHash: qmodel.sourceHash,
    url: propertiesValue(readHomepage() ?? FALLBACK_URL),
    inputSize: qmodel.inputSize,
    units: lstm.units,
    classes: classCountOf(qmodel),
    threshold: String(qmodel.threshold),
    spikeSubject: spikeSubjectOf(dense),
    inputScale: qmodel.inputScale.toPrecision(9),
    sequenceFrames: qmodel.frames,
    sequenceFramesSource: qmodel.frames > 0 ? ', the sequence length the model was trained on' : ' (the model does not state its sequence length)',
  };
}

export const arduinoTarget: TargetDriver = {
  name: 'arduino',
  async emit(context: EmitContext): Promise<EmittedFile[]> {
    const manifest = readManifest();
    const files: EmittedFile[] = manifest.templates.map((templatePath) => {
      const template = `${TARGET_FOLDER}/${templatePath}`;
      return { path: TEMPLATE_OUTPUTS[templatePath], contents: renderTemplate(template, buildView(context, template)) };
    });
    for (const source of emitCortexMSources(context)) files.push({ path: `src/${source.path}`, contents: source.contents });
    return files;
  },
};
