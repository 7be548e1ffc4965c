/**
 * Identifiers made from model text (layer names, class labels): every result
 * is a valid, unreserved identifier in C99 and later, JavaScript and
 * AssemblyScript, and the identifiers of one list never clash, also when two
 * texts sanitize to the same spelling.
 */

/** C99 keywords plus the C11 and C23 ones, so that a prefix stays valid under later standards too. */
export const C_KEYWORDS: ReadonlySet<string> = new Set(
  (
    'auto break case char const continue default do double else enum extern float for goto if inline int long ' +
    'register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while ' +
    '_Bool _Complex _Imaginary _Alignas _Alignof _Atomic _Generic _Noreturn _Static_assert _Thread_local ' +
    'alignas alignof bool constexpr false nullptr static_assert thread_local true typeof typeof_unqual'
  ).split(' '),
);

/** Reserved words of JavaScript (ES2022, strict mode included) and the AssemblyScript keywords and type names. */
export const JS_RESERVED_WORDS: ReadonlySet<string> = new Set(
  (
    'await break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if implements import in instanceof interface let new null package private protected public return static ' +
    'super switch this throw true try typeof var void while with yield arguments eval undefined NaN Infinity ' +
    'abstract as async declare from get is keyof module namespace readonly set type ' +
    'i8 i16 i32 i64 isize u8 u16 u32 u64 usize bool f32 f64 v128 string number boolean symbol object unknown never any ' +
    'memory load store unreachable'
  ).split(' '),
);

export type IdentifierCase = 'lower' | 'upper';

export interface IdentifierOptions {
  /** Letter case of the sanitized texts. Reserved words are checked on the whole identifier. */
  letterCase: IdentifierCase;
  /** Text put before every identifier, for example "KWS_CLASS_". It must be a valid identifier start itself. */
  prefix: string;
  /** Maximum length of a result, prefix and suffixes included. */
  maxLength: number;
  /** The part after the prefix for a text that keeps no letter or digit, from its index in the list. */
  fallback: (index: number) => string;
}

/**
 * Sanitizes one text: letters and digits in the chosen case, and every other
 * run of characters one '_', without leading or trailing '_'. Returns '' when
 * nothing is left.
 */
export function sanitizeIdentifier(text: string, letterCase: IdentifierCase): string {
  const cased = letterCase === 'upper' ? text.toUpperCase() : text.toLowerCase();
  const pattern = letterCase === 'upper' ? /[^A-Z0-9]+/g : /[^a-z0-9]+/g;
  return cased.replace(pattern, '_').replace(/^_+|_+$/g, '');
}

function isReserved(identifier: string): boolean {
  return C_KEYWORDS.has(identifier) || JS_RESERVED_WORDS.has(identifier);
}

/**
 * Returns one identifier per text, in order and all different: the prefix plus
 * the sanitized text. A result that starts with a digit gets a leading "n" or
 * "N", a reserved word the suffix "_", and a clash the suffix _2, _3, ... (the
 * text is cut so that every suffix still fits maxLength).
 */
export function uniqueIdentifiers(texts: readonly string[], options: IdentifierOptions): string[] {
  const { prefix, maxLength } = options;
  const used = new Set<string>();
  const fit = (stem: string, suffix: string) => `${prefix}${stem.slice(0, maxLength - prefix.length - suffix.length)}`.replace(/_+$/, '') + suffix;
  return texts.map((text, index) => {
    let stem = sanitizeIdentifier(text, options.letterCase);
    if (stem === '') stem = options.fallback(index);
    if (prefix === '' && /^[0-9]/.test(stem)) stem = `${options.letterCase === 'upper' ? 'N' : 'n'}${stem}`;
    let candidate = fit(stem, '');
    if (isReserved(candidate)) candidate = fit(stem, '_');
    for (let n = 2; used.has(candidate) || isReserved(candidate); n++) candidate = fit(stem, `_${n}`);
    used.add(candidate);
    return candidate;
  });
}
