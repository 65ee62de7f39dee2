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
