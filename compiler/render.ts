/**
 * Renders mustache templates from templates/ and targets/. Templates stay
 * logic-free: drivers build the whole view, including every number and string,
 * already formatted and escaped for the language of the output file.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Mustache from 'mustache';

/** The repository root, found from this file's place in dist/compiler/. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function readPackageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Renders a template file (path relative to the package root) with HTML escaping disabled. */
export function renderTemplate(templatePath: string, view: object, partials: Record<string, string> = {}): string {
  const template = readFileSync(join(PACKAGE_ROOT, templatePath), 'utf8');
  return Mustache.render(template, view, partials, { escape: (text: string) => text });
}

/** Loads the shared partials in templates/ (for example the provenance header). */
export function loadSharedPartial(name: string): string {
  return readFileSync(join(PACKAGE_ROOT, 'templates', `${name}.mustache`), 'utf8');
}
