// Ascending copies of samples for the rank tests. The compare judge sorts each sample once and hands sorted
// samples to several tests, so a copy that is already in order skips the O(n log n) sort.

/** An ascending Float64Array copy of the sample. */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const copy = Float64Array.from(values);
  for (let i = 1; i < copy.length; i++) {
    if (!(copy[i - 1]! <= copy[i]!)) return copy.sort();
  }
  return copy;
}

/** The union of two ascending samples, ascending, by merging. */
export function mergeSorted(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
  }
  return out;
}
