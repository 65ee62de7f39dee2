/**
 * The V8 heap a function of `memoryMb` runs with: three quarters of it, leaving the rest to
 * code, buffers and the runtime. Without the limit V8 sizes its heap from the host, not the
 * function, and may let garbage pile up past the function's memory, where Lambda kills the
 * process; with it the collector works within the budget that the page body cap
 * (`pageBodyCapBytes`) also assumes.
 */
export function heapLimitMb(memoryMb: number): number {
  return Math.floor(memoryMb * 0.75);
}

/**
 * The young generation's half-space a function of `memoryMb` runs with: 1 MB per 128 MB, 1 to
 * 16. Left to itself V8 sizes it from the heap limit, up to 16 MB, and its spaces hold garbage
 * of the last few milliseconds: in the fan-out benchmark at 512 MB, 4 MB half-spaces took the
 * finish step's peak from 59.6 to 36.9 MiB and the whole 10,000-charger run's from 209 to
 * 166 MiB. Smaller spaces are collected more often: 3 % more CPU in that finish step.
 */
export function semiSpaceMb(memoryMb: number): number {
  return Math.min(16, Math.max(1, Math.floor(memoryMb / 128)));
}

/** The V8 flags a function of `memoryMb` is deployed with (its NODE_OPTIONS). */
export function nodeOptions(memoryMb: number): string {
  return `--max-old-space-size=${heapLimitMb(memoryMb)} --max-semi-space-size=${semiSpaceMb(memoryMb)}`;
}
