import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../common/errors.js';
import { log } from '../common/log.js';

/** TensorFlow.js backends the trainer can run on, fastest first. */
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = 'auto' | BackendName;

/** npm package that registers each backend when imported. */
const BACKEND_PACKAGES: Record<BackendName, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/**
 * Selects and initializes the TensorFlow.js backend, then logs which one runs.
 *
 * 'auto' tries @tensorflow/tfjs-node (native libtensorflow, an optional dependency
 * that fails to install where libtensorflow cannot be downloaded), then the
 * WebAssembly backend, then the plain JavaScript CPU backend. A named backend that
 * cannot start is a UserError.
 *
 * tfjs-node imports @tensorflow/tfjs-core itself and registers its backend there.
 * When npm installed a second copy of tfjs-core for it (a version that differs from
 * the trainer's), the backend lands in that copy and the trainer cannot see it.
 * tryBackend reports that case, and 'auto' falls back to the next backend.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendName> {
  const candidates: readonly BackendName[] = choice === 'auto' ? BACKEND_NAMES : [choice];
  const failures: string[] = [];
  for (const name of candidates) {
    const failure = await tryBackend(name);
    if (failure === undefined) {
      log.info(`TensorFlow.js backend: ${name} (${describeBackend(name)})`);
      return name;
    }
    failures.push(`${name}: ${failure}`);
    if (choice === 'auto') log.debug(`backend ${name} is not available: ${failure}`);
  }
  throw new UserError(`backend ${choice} failed to start (${failures.join('; ')}); pass --backend auto to fall back to an available backend`);
}

/** Returns undefined when the backend now runs, else the reason it does not. */
async function tryBackend(name: BackendName): Promise<string | undefined> {
  if (tf.getBackend() === name) return undefined;
  if (tf.findBackendFactory(name) === null) {
    const failure = await importBackendPackage(name);
    if (failure !== undefined) return failure;
  }
  if (tf.findBackendFactory(name) === null) {
    return (
      `${BACKEND_PACKAGES[name]} loaded but registered no "${name}" backend with this copy of @tensorflow/tfjs-core ${tf.version_core}; ` +
      'it probably brought its own tfjs-core, so install matching versions (npm dedupe)'
    );
  }
  try {
    const ready = await tf.setBackend(name);
    if (!ready) return 'initialization failed';
    await tf.ready();
  } catch (error) {
    return `initialization failed: ${(error as Error).message}`;
  }
  return undefined;
}

/** Modules of the backend packages imported so far, by backend. */
const importedPackages = new Map<BackendName, Record<string, unknown>>();

async function importBackendPackage(name: BackendName): Promise<string | undefined> {
  // A variable specifier keeps TypeScript from resolving tfjs-node, which is optional.
  const specifier = BACKEND_PACKAGES[name];
  try {
    importedPackages.set(name, (await import(specifier)) as Record<string, unknown>);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return `${specifier} is not installed`;
    return `importing ${specifier} failed: ${(error as Error).message}`;
  }
}

function describeBackend(name: BackendName): string {
  const parts = [`tfjs-core ${tf.version_core}`];
  const getThreadsCount = importedPackages.get('wasm')?.getThreadsCount;
  if (name === 'wasm' && typeof getThreadsCount === 'function') parts.push(`${getThreadsCount()} WebAssembly thread(s)`);
  return parts.join(', ');
}
