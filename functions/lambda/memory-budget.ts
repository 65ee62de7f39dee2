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
 * 16. Left to itself V8 sizes it from the heap limit, up to 16 MB, and with its three spaces
 * that was about 40 MB of a 512 MB function's memory held for garbage of the last few
 * milliseconds (the fan-out benchmark's finish step: 79 MiB at its peak, 4 MB half-spaces
 * about 40 MiB less). Smaller spaces are collected more often: a few percent more CPU.
 */
export function semiSpaceMb(memoryMb: number): number {
  return Math.min(16, Math.max(1, Math.floor(memoryMb / 128)));
}

/** The V8 flags a function of `memoryMb` is deployed with (its NODE_OPTIONS). */
export function nodeOptions(memoryMb: number): string {
  return `--max-old-space-size=${heapLimitMb(memoryMb)} --max-semi-space-size=${semiSpaceMb(memoryMb)}`;
}
