// Run by the crash tests in its own process: one scan of a config, which dies (SIGKILL, by its
// own hand, so the point is exact) or meets an unwritable store at the step named. Prints the
// run's summary as JSON when it lives to the end.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonlAlerts } from '../../functions/adapters/local-alerts.ts';
import { LocalArchive } from '../../functions/adapters/local-archive.ts';
import { LocalState } from '../../functions/adapters/local-state.ts';
import { parseConfig } from '../../functions/config/config.ts';
import type { IncidentNotification } from '../../functions/core/incidents/incident.ts';
import { Secret } from '../../functions/core/secret.ts';
import type { PublishOutcome } from '../../functions/scan/ports.ts';
import type { StateDocument } from '../../functions/scan/state-document.ts';
import { scanFromConfig } from '../../functions/wiring/scan-from-config.ts';
import type { CrashPoint } from './crash-points.ts';

const [dir = '', nowText = '0', crashAt = '', failAt = ''] = process.argv.slice(2);
const config = parseConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), 'config');

/** Dies, or throws what a read-only folder throws, when the run reaches `point`. */
function reached(point: CrashPoint): void {
  if (crashAt === point) process.kill(process.pid, 'SIGKILL');
  if (failAt === point)
    throw Object.assign(new Error(`EACCES: permission denied (${point})`), { code: 'EACCES' });
}

class CrashingState extends LocalState {
  #commits = 0;
  override async commitDocument(document: StateDocument, over: string | undefined) {
    this.#commits++;
    reached(this.#commits === 1 ? 'after-archiving' : 'before-marking');
    const version = await super.commitDocument(document, over);
    if (this.#commits === 1) reached('after-commit');
    return version;
  }
}

class CrashingArchive extends LocalArchive {
  override async putReport(...args: Parameters<LocalArchive['putReport']>) {
    reached('archiving');
    return super.putReport(...args);
  }

  override async putIncidentHistory(day: string, name: string, lines: string) {
    reached('before-receipt');
    return super.putIncidentHistory(day, name, lines);
  }
}

class CrashingAlerts extends JsonlAlerts {
  override async publish(notices: readonly IncidentNotification[]): Promise<PublishOutcome> {
    // Half the first batch goes out, then the run dies: the notices a receiver got in the
    // instant before the kill.
    if (crashAt === 'mid-delivery' && notices.length > 0) {
      await super.publish(notices.slice(0, Math.ceil(notices.length / 2)));
      reached('mid-delivery');
    }
    if (failAt === 'mid-delivery') reached('mid-delivery');
    return super.publish(notices);
  }
}

const summary = await scanFromConfig(config, {
  credentials: { clientId: new Secret('demo-client'), clientSecret: new Secret('demo-secret') },
  log: { info: () => {}, warn: () => {}, error: () => {} },
  baseDir: '/',
  sleep: async () => undefined,
  now: () => Number(nowText),
  archive: new CrashingArchive(join(dir, 'archive')),
  state: new CrashingState(join(dir, 'state')),
  alerts: new CrashingAlerts(join(dir, 'alerts.jsonl')),
});
process.stdout.write(JSON.stringify(summary));
