import { stateFrom } from '../adapters/from-config.ts';
import type { StateStore } from '../scan/ports.ts';

/** Which layout a state store holds, for `config check`. */
export interface StateLayout {
  layout: 'state document' | 'per-connector files' | 'empty' | 'unreadable';
  /** One line for a person. */
  says: string;
}

/**
 * Reads which layout a state holds: one state document (and how far it has come), the
 * per-connector files of earlier versions (the next scan converts them), or nothing yet.
 */
export async function stateLayoutOf(store: StateStore): Promise<StateLayout> {
  try {
    const stored = await store.loadDocument();
    if (stored) {
      const { document } = stored;
      const waiting = document.outbox.length;
      return {
        layout: 'state document',
        says: `one state document, version ${document.seq}, committed ${document.committedAt}; ${Object.keys(document.cursors).length} connector cursor(s), ${waiting} notice(s) waiting to be delivered${document.migratedFrom ? `; converted from ${document.migratedFrom}` : ''}`,
      };
    }
    if (await store.legacy.holdsAny())
      return {
        layout: 'per-connector files',
        says: 'per-connector files (the layout before the state document); the next scan converts them into one state document',
      };
    return { layout: 'empty', says: 'empty; the first scan writes its state document' };
  } catch (error) {
    return {
      layout: 'unreadable',
      says: `cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/**
 * The layout of the state at `location`: a folder always; an `s3://` state only when asked to
 * reach out (`--probe`), since reading it needs AWS credentials.
 */
export async function stateLayoutAt(
  location: string,
  baseDir: string,
  reachOut: boolean,
): Promise<StateLayout | undefined> {
  if (location.startsWith('s3://') && !reachOut) return undefined;
  return stateLayoutOf(stateFrom(location, { baseDir }));
}
