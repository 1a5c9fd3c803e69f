// "Did you mean …?" for unknown names, functions, arguments and enum values.
import { distance } from 'fastest-levenshtein';

/** Longer names get no suggestion: comparing costs the product of the lengths, and nobody misspells them. */
const MAX_COMPARED_LENGTH = 256;

/** A suggestion must be closer than a rewrite: at most a third of the name may change. */
function allowedDistance(longest: number): number {
  return longest <= 2 ? 1 : Math.max(2, Math.floor(longest / 3));
}

export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length > MAX_COMPARED_LENGTH) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const longest = Math.max(name.length, candidate.length);
    const allowed = allowedDistance(longest);
    // The distance is at least the difference in length: a candidate that far off is not worth comparing.
    if (Math.abs(name.length - candidate.length) > allowed) continue;
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d <= allowed && d < longest && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

export function didYouMean(name: string, candidates: Iterable<string>): string {
  const best = closestName(name, candidates);
  return best === undefined ? '' : `; did you mean '${best}'?`;
}
