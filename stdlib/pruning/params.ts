// The parameters magnitude pruning shares with the lotteries built from it (imp, oneshot).
import { arg, type JsonSchema } from '../signature.ts';

/** How a magnitude mask ranks weights, and which layers it spares or prunes at rates of their own. */
export const PRUNING_OPTIONS: Record<string, JsonSchema> = {
  scope: arg.oneOf(['global', 'layerwise'], 'rank weights across all prunable layers or within each layer', 'global'),
  skip: { type: 'array', items: { type: 'string' }, default: [], description: 'layers never pruned (names, * matches any run of characters)' },
  rates: { type: 'object', additionalProperties: { type: 'number', minimum: 0, exclusiveMaximum: 1 }, default: {}, description: 'per-layer rates overriding rate' },
};

/** The share of the remaining weights one magnitude mask removes. */
export const REMOVAL_RATE: JsonSchema = arg.fraction('share of the remaining weights removed', { exclusiveMaximum: 1 });
