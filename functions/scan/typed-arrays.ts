/**
 * A typed array at least `atLeast` long and half as long again as `from`, holding it at its
 * start: by half, not double, as a depot's indexes are sized by its connectors and a fleet just
 * past a power of two would leave nearly half of each empty.
 */
export function grown<T extends Uint8Array | Int32Array | Uint32Array | Float64Array>(
  from: T,
  atLeast: number,
): T {
  const to = new (from.constructor as new (length: number) => T)(
    Math.max(atLeast, from.length + (from.length >> 1)),
  );
  to.set(from);
  return to;
}
