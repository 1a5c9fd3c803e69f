// Summaries of repeated measurements (the rows of one setting over seeds): mean, sample standard
// deviation, extremes and the 95% confidence interval of the mean from Student's t distribution,
// mean ± t(0.975, n − 1) · std / √n. Pure arithmetic, shared by `ltx results --by/--over` and the report.

export interface Summary {
  /** How many values. */
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); undefined for one value. */
  std?: number;
  min: number;
  max: number;
  /** The 95% confidence interval of the mean; undefined for one value. */
  ci95?: [number, number];
}

/** The summary of `values` (at least one). */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize: no values');
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (n < 2) return { n, mean, min, max };
  const std = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1));
  const half = tQuantile975(n - 1) * std / Math.sqrt(n);
  return { n, mean, std, min, max, ci95: [mean - half, mean + half] };
}

/**
 * P(|T| < t) for Student's t with `df` (a whole number ≥ 1) degrees of freedom, in closed form
 * (Abramowitz & Stegun 26.7.3–4): with θ = atan(t / √df), a finite series in cos²θ.
 */
export function tTwoSided(t: number, df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new Error(`tTwoSided: degrees of freedom must be a whole number ≥ 1, got ${df}`);
  const theta = Math.atan(Math.abs(t) / Math.sqrt(df));
  const c2 = Math.cos(theta) ** 2;
  if (df % 2 === 0) {
    // sinθ (1 + ½cos²θ + (1·3)/(2·4) cos⁴θ + … up to cos^(df−2)θ)
    let term = 1;
    let sum = 1;
    for (let k = 2; k <= df - 2; k += 2) {
      term *= ((k - 1) / k) * c2;
      sum += term;
    }
    return Math.sin(theta) * sum;
  }
  if (df === 1) return (2 / Math.PI) * theta;
  // (2/π)(θ + sinθ cosθ (1 + (2/3)cos²θ + (2·4)/(3·5) cos⁴θ + … up to cos^(df−3)θ))
  let term = 1;
  let sum = 1;
  for (let k = 2; k <= df - 3; k += 2) {
    term *= (k / (k + 1)) * c2;
    sum += term;
  }
  return (2 / Math.PI) * (theta + Math.sin(theta) * Math.cos(theta) * sum);
}

/** t with P(|T| < t) = 0.95 for `df` degrees of freedom: the factor of the 95% interval (12.71 for df 1, → 1.96). */
export function tQuantile975(df: number): number {
  let low = 0;
  let high = 1;
  while (tTwoSided(high, df) < 0.95) high *= 2;
  // Bisection to the precision of a double: the function is increasing in t.
  for (let i = 0; i < 200 && high - low > 1e-12 * high; i++) {
    const middle = (low + high) / 2;
    if (tTwoSided(middle, df) < 0.95) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}
