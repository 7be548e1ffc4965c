/**
 * The target registry: maps each name accepted by `rc-compile --target` to its
 * driver. A driver's templates live in targets/<name>/.
 */
import { UserError } from '../../common/errors.js';
import type { TargetDriver } from '../target.js';
import { arduinoTarget } from './arduino.js';
import { cTarget } from './c.js';
import { cortexMTarget } from './cortex-m.js';
import { createWasmTarget, wasmTarget } from './wasm.js';

const DRIVERS: ReadonlyMap<string, TargetDriver> = new Map([
  [cTarget.name, cTarget],
  [wasmTarget.name, wasmTarget],
  ['wasm-scalar', createWasmTarget({ simd: false })],
  [cortexMTarget.name, cortexMTarget],
  [arduinoTarget.name, arduinoTarget],
]);

export function targetNames(): string[] {
  return [...DRIVERS.keys()];
}

/** Returns the driver of a target name; throws UserError naming the known targets otherwise. */
export function findTarget(name: string): TargetDriver {
  const driver = DRIVERS.get(name);
  if (!driver) throw new UserError(`unknown target "${name}"; available targets: ${targetNames().join(', ')}.`);
  return driver;
}
