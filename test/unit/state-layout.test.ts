import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalState } from '../../functions/adapters/local-state.ts';
import { stateLayoutOf } from '../../functions/cli/state-layout.ts';
import { emptyDocument } from '../../functions/scan/state-document.ts';

describe('which layout config check says a state holds', () => {
  it('says empty before the first scan, per-connector files for an older state, then the document', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'depot-watch-layout-'));
    const store = new LocalState(dir);
    expect((await stateLayoutOf(store)).says).toBe(
      'empty; the first scan writes its state document',
    );
    await mkdir(join(dir, 'cursors', 'charger=HPC-001'), { recursive: true });
    await writeFile(join(dir, 'cursors', 'charger=HPC-001', 'connector=1.json'), '{}');
    expect((await stateLayoutOf(store)).layout).toBe('per-connector files');
    await store.commitDocument(
      {
        ...emptyDocument(),
        seq: 1,
        committedAt: '2026-11-24T12:00:00.000Z',
        migratedFrom: 'per-connector files',
      },
      undefined,
    );
    expect((await stateLayoutOf(store)).says).toBe(
      'one state document, version 1, committed 2026-11-24T12:00:00.000Z; 0 connector cursor(s), 0 notice(s) waiting to be delivered; converted from per-connector files',
    );
  });
});
