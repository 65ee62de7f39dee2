/**
 * A value built on its first use and kept. Meant for zod schemas off the common path: building
 * one costs milliseconds at module load (a Lambda's billed init phase) whether it is used or not.
 */
export function lazily<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
