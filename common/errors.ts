/**
 * A user's bad input: a file, a flag or a model that the tools cannot accept.
 * The message names the value, what was expected and what to do. The CLIs print
 * it without a stack trace and exit with status 2. Broken internal invariants are
 * plain assertion errors instead, and keep their stack.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Throws an internal assertion error when `condition` is false. */
export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new Error(`internal error: ${typeof message === 'function' ? message() : message}`);
  }
}
