// Exponential moving average as TensorBoard draws it: debiased, so that the first points are
// not pulled toward zero, and NaN/±Inf passed through without poisoning the average.

/** Smooths `values` with weight `weight` in [0, 1): 0 returns a copy of the input. */
export function smooth(values: ArrayLike<number | null>, weight: number): (number | null)[] {
  const out: (number | null)[] = new Array(values.length);
  if (!(weight > 0)) {
    for (let i = 0; i < values.length; i++) out[i] = values[i] ?? null;
    return out;
  }
  const w = Math.min(weight, 0.999);
  let last = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    if (y === null || y === undefined || !Number.isFinite(y)) {
      out[i] = y ?? null;
      continue;
    }
    last = last * w + (1 - w) * y;
    count++;
    out[i] = last / (1 - Math.pow(w, count));
  }
  return out;
}
