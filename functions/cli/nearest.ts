/**
 * The name a likely typo of `given` was meant to be: the nearest by edit distance (a swap of
 * two neighbouring letters counts as one edit), or undefined when none is near enough to guess.
 * Near enough: at most two edits, and no more than half the letters given, so `--xyz` suggests
 * nothing rather than some three-letter flag.
 */
export function nearest(given: string, names: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(given.toLowerCase(), name.toLowerCase());
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  if (best === undefined || best.distance > 2 || best.distance * 2 > given.length) return undefined;
  return best.name;
}

/** The sentence's tail that offers the nearest name, or '' when none is near. */
export function didYouMean(given: string, names: readonly string[]): string {
  const name = nearest(given, names);
  return name === undefined ? '' : `; did you mean ${name}?`;
}

/** Insertions, deletions, substitutions and swaps of neighbours that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  // Rows of the classic table; three are enough, since a swap looks two rows back.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (before[j - 2] ?? 0) + 1);
      current.push(d);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}
