// Upper bounds of sizes and counts, shared by the schemas (stdlib) and the compiler's step arithmetic.
/**
 * Upper bounds of sizes and counts, defined here once: generous (far beyond any experiment that could
 * run) but finite, so that a slip such as `hidden: [1e15]` is refused at the argument instead of
 * exhausting memory later. Steps are bounded by the compiler, which resolves epochs to steps.
 */
export const LIMITS = {
  /** Every seed (init, data order, splits, masks, chains): an unsigned 32-bit integer. */
  seed: 2 ** 32 - 1,
  /** Steps of a training run, and every step or interval a program names. */
  steps: 1_000_000_000,
  /** Widths: input features, units, channels, classes, vocabulary entries, heads. */
  width: 1_000_000,
  /** Positions of a context window, pixels along a side of an image, kernel sizes. */
  positions: 65_536,
  /** Layers of a network: hidden widths listed, blocks, resnet depth. */
  layers: 10_000,
  /** Examples of a generated data set (p² pairs for modular addition), samples, batch sizes. */
  examples: 100_000_000,
  /** Repetitions: pruning rounds, copies, points along a path, chains, kernel samples. */
  repeats: 10_000,
  /** SGLD draws and burn-in steps per chain. */
  draws: 10_000_000,
  /** Weights of a model: 4 GB as 32-bit floats. */
  parameters: 1_000_000_000,
} as const;

/** `1,048,576`: counts in messages, with thousands separators (`1e+300` for ones past exact integers). */
export function formatCount(count: number): string {
  return Number.isSafeInteger(count) ? count.toLocaleString('en-US') : String(count);
}
