import { KeyedArchive } from '../../functions/adapters/keyed-archive.ts';

/** An archive of one depot among several that keeps every body it is asked to create, as text. */
export function recordingArchive(depot: string): { archive: KeyedArchive; bodies: string[] } {
  const bodies: string[] = [];
  const archive = new KeyedArchive(
    'unused',
    async (_key, body) => {
      bodies.push(typeof body === 'string' ? body : [...body()].join(''));
      return true;
    },
    async () => undefined,
    depot,
  );
  return { archive, bodies };
}
