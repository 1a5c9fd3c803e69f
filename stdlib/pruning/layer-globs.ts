// Layer patterns of `skip` and `rates`: a layer name as the model's layout spells it, where `*` matches
// any run of characters (`block*.attn.*`).

export function globMatches(pattern: string, name: string): boolean {
  const parts = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`).test(name);
}

export function matchesAny(patterns: readonly string[], name: string): boolean {
  return patterns.some((p) => globMatches(p, name));
}

/**
 * The rate `rates` sets for `layer`, if any. Several patterns may match one layer: the exact name wins,
 * then the most specific pattern (most characters besides `*`), then the alphabetically first, so the
 * answer never depends on the order the record was written (or stored) in.
 */
export function rateFor(layer: string, rates: Readonly<Record<string, number>>): number | undefined {
  if (Object.hasOwn(rates, layer)) return rates[layer];
  const matching = Object.keys(rates).filter((p) => globMatches(p, layer));
  if (matching.length === 0) return undefined;
  const literal = (p: string) => p.replaceAll('*', '').length;
  matching.sort((a, b) => literal(b) - literal(a) || (a < b ? -1 : a > b ? 1 : 0));
  return rates[matching[0]!];
}
