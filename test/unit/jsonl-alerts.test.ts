import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonlAlerts } from '../../functions/adapters/local-alerts.ts';
import type { IncidentNotification } from '../../functions/core/incidents/incident.ts';

describe('notices appended to a JSON Lines file', () => {
  it('writes each notice once, whole and in order, across the pieces it appends in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jsonl-alerts-'));
    try {
      // About 300 KB: several of the 64 KB appends, and the last one short.
      const notices = Array.from(
        { length: 600 },
        (_, i) => ({ id: `n-${i}`, message: `ü "${i}" `.padEnd(500, 'x') }) as IncidentNotification,
      );
      const sink = new JsonlAlerts(join(dir, 'alerts', 'notices.jsonl'));
      const first = await sink.publish(notices.slice(0, 1));
      const rest = await sink.publish(notices.slice(1));
      expect([...first.accepted, ...rest.accepted]).toEqual(notices.map((n) => n.id));
      const lines = readFileSync(join(dir, 'alerts', 'notices.jsonl'), 'utf8').split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.map((line) => JSON.parse(line))).toEqual(notices);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
