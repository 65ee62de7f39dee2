// Run by the crash tests in its own process: one scan of a config, which dies (SIGKILL, by its
// own hand, so the point is exact) or meets an unwritable store at the step named. Its stores
// are the config's (a folder, or S3 at AWS_ENDPOINT_URL_S3); its alerts go to a JSON Lines
// file. Prints the run's summary as JSON when it lives to the end.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { archiveFrom, stateFrom } from '../../functions/adapters/from-config.ts';
import { JsonlAlerts } from '../../functions/adapters/local-alerts.ts';
import { parseConfig } from '../../functions/config/config.ts';
import type { IncidentNotification } from '../../functions/core/incidents/incident.ts';
import { Secret } from '../../functions/core/secret.ts';
import type { PublishOutcome, ReportArchive, StateStore } from '../../functions/scan/ports.ts';
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

/** The config's state store, reaching the commit points on its way. */
function crashingState(store: StateStore): StateStore {
  let commits = 0;
  const commitDocument: StateStore['commitDocument'] = async (document, over) => {
    commits++;
    reached(commits === 1 ? 'after-archiving' : 'before-marking');
    const version = await store.commitDocument(document, over);
    if (commits === 1) reached('after-commit');
    return version;
  };
  return withOwn(store, { commitDocument });
}

/** The config's archive, reaching the archiving and receipt points on its way. */
function crashingArchive(archive: ReportArchive): ReportArchive {
  return withOwn(archive, {
    putReport: (...args: Parameters<ReportArchive['putReport']>) => {
      reached('archiving');
      return archive.putReport(...args);
    },
    putIncidentHistory: (...args: Parameters<ReportArchive['putIncidentHistory']>) => {
      reached('before-receipt');
      return archive.putIncidentHistory(...args);
    },
  });
}

/** `target` with some methods replaced, the rest called on `target` itself (its private fields). */
function withOwn<T extends object>(target: T, own: Partial<T>): T {
  return new Proxy(target, {
    get(object, name) {
      if (name in own) return own[name as keyof T];
      const value = Reflect.get(object, name, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
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
  archive: crashingArchive(archiveFrom(config.archive, { baseDir: '/' })),
  state: crashingState(stateFrom(config.state, { baseDir: '/' })),
  alerts: new CrashingAlerts(join(dir, 'alerts.jsonl')),
});
process.stdout.write(JSON.stringify(summary));
