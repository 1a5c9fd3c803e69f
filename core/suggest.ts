// "Did you mean …?" for unknown names, functions, arguments and enum values.
import { distance } from 'fastest-levenshtein';

export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  // A suggestion must be closer than a rewrite: at most a third of the name may change.
  const longest = Math.max(name.length, best.length);
  const allowed = longest <= 2 ? 1 : Math.max(2, Math.floor(longest / 3));
  return bestDistance <= allowed && bestDistance < longest ? best : undefined;
}

export function didYouMean(name: string, candidates: Iterable<string>): string {
  const best = closestName(name, candidates);
  return best === undefined ? '' : `; did you mean '${best}'?`;
}
