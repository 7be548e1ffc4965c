/**
 * Size limits of the model loader. Every one is checked before the loader
 * allocates or reads what it bounds, so a hostile or broken model.json cannot
 * make rc-compile exhaust memory or the stack. docs/MODEL_IMPORT.md lists the
 * same limits for users.
 */

/** Maximum size of model.json in bytes: a layers-model topology with its metadata is a few kilobytes to a few megabytes. */
export const MAX_MODEL_JSON_BYTES = 16 * 1024 * 1024;

/**
 * Maximum nesting of arrays and objects in model.json. Keras configs nest about
 * 12 levels deep. The limit keeps every recursive walk of the parsed value
 * (JSON.stringify in messages, the topology reader) far from the stack limit.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Maximum layer width (input values per frame, units, classes). A
 * microcontroller model is far smaller, so the limit only rejects absurd sizes
 * before any allocation.
 */
export const MAX_LAYER_WIDTH = 65536;

/**
 * Maximum number of weights in a model, all layers together: 2^24, which is
 * 16 MiB of int8 weights once quantized and 64 MiB of float32 while compiling.
 */
export const MAX_TOTAL_WEIGHTS = 2 ** 24;

/** Maximum numbers of shard files and of weight entries in one weightsManifest. */
export const MAX_SHARD_FILES = 4096;
export const MAX_WEIGHT_ENTRIES = 4096;

/**
 * Maximum length of a class label in UTF-8 bytes. The C target emits each label as one
 * string literal, and C99 compilers need only accept 4095 characters in one
 * (gcc -pedantic warns above that).
 */
export const MAX_LABEL_BYTES = 1024;

/** Maximum length of a model or layer name in UTF-16 code units. */
export const MAX_NAME_LENGTH = 1024;
