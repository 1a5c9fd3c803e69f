// Limits on program text. Each is far beyond any real program and low enough that, whatever the
// input, the recursive phases (Chevrotain's recursive descent, the tree walkers) stay within the call
// stack and the tokens and trees of a program stay within a few hundred megabytes.

/** Characters of one program file. */
export const MAX_SOURCE_LENGTH = 1024 * 1024;

/** Tokens (comments included) of a program, its imports included. */
export const MAX_TOKENS = 200_000;

/**
 * Levels of nesting in an expression: brackets (calls, indexes, lists, records, parentheses, for
 * bodies), `-` signs and suffixes (`.name`, `[i]`, `(…)`) each open one.
 */
export const MAX_NESTING = 100;

/** Characters of a name. */
export const MAX_NAME_LENGTH = 256;

/** Characters of a string literal (as written, quotes included): a path is at most 4096 bytes on Linux. */
export const MAX_STRING_LENGTH = 4096;

