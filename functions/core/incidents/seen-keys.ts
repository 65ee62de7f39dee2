/**
 * Whether a list of `[session key, end time]` holds the key, looking from index `from` on.
 * Records remember a few dozen sessions per connector and a run brings one or two: a plain
 * scan beats building a set of the keys, and an indexed loop beats `some` with a destructuring
 * callback, which every session of every connector paid.
 */
export function holdsKey(list: readonly [string, string][], key: string, from = 0): boolean {
  for (let i = from; i < list.length; i++)
    if ((list[i] as [string, string])[0] === key) return true;
  return false;
}
