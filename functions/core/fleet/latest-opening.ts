/**
 * The latest time (epoch ms) any fault of a record opened, from its `openings`; -Infinity when
 * none parses. The fleet's record asks this of every subject on every run to know which to
 * forget, yet a subject's openings change only when its record is copied: the answer is kept
 * per `openings` object, which the engine never changes once a state is returned (it copies
 * the record first), so a run parses only the openings of the records it changed.
 */
export function latestOpening(openings: Readonly<Record<string, readonly string[]>>): number {
  const known = cache.get(openings);
  if (known !== undefined) return known;
  let latest = Number.NEGATIVE_INFINITY;
  for (const times of Object.values(openings))
    for (const t of times) {
      // Unparseable times (NaN) never count as recent, as a comparison with NaN never holds.
      const ms = Date.parse(t);
      if (ms > latest) latest = ms;
    }
  cache.set(openings, latest);
  return latest;
}

const cache = new WeakMap<object, number>();
