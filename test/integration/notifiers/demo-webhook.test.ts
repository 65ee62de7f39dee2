import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../../functions/cli/demo.ts';

describe('demo --webhook', () => {
  it('delivers every notice to its own receiver, signed, and says what the receiver got', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'depot-watch-demo-webhook-'));
    let output = '';
    const code = await runDemo({
      dir,
      seed: 7,
      chargers: 2,
      webhook: true,
      log: { info() {}, warn() {}, error() {} },
      write: (text) => {
        output += text;
      },
    });
    expect(code).toBe(0);
    const notices = (await readFile(join(dir, 'alerts.jsonl'), 'utf8')).trim().split('\n');
    expect(notices.length).toBeGreaterThan(0);
    expect(output).toMatch(
      new RegExp(
        `Webhook receiver at http://127\\.0\\.0\\.1:\\d+/depot-watch got ${notices.length} notice\\(s\\), ${notices.length} with a valid signature:\\n {2}firing {3}open `,
      ),
    );
  });
});
