import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { type DepotState, depotStatesUnder } from '../adapters/depot-states.ts';
import { stateFrom } from '../adapters/from-config.ts';
import { documentsUnder } from '../adapters/stored-documents.ts';
import { storedIncidents } from '../adapters/stored-incidents.ts';
import type { Config } from '../config/config.ts';
import type { StateStore } from '../scan/ports.ts';
import type {
  DepotIncident,
  DepotKpiRow,
  HistoryNotice,
  ReportPeriod,
  ReportSources,
} from './model/report-input.ts';
import { addDays, daysOf } from './model/report-period.ts';

/** Where a report reads from; each a folder path or an `s3://bucket/prefix` URI. */
export interface ReportLocations {
  /** The state store: KPI rollups, the connectors' and the fleet's incident records. */
  state: string;
  /** The archive: the incident history, and the raw reports people follow links to. */
  archive: string;
}

/** How locations are resolved and reached. */
export interface ReportSourceOptions {
  /** Relative folder paths are resolved against this (the config file's folder). */
  baseDir: string;
  /** The S3 client to use instead of the process-wide one. */
  s3?: S3Client;
}

/** One depot's state: its name (none for one fleet) and the port that reads its KPI rows. */
interface DepotStateReader extends DepotState {
  kpis: Pick<StateStore, 'loadDailyKpis'>;
}

/**
 * A report's sources on the state store and archive a config names, local folders and S3
 * alike: the state port reads the KPI rollups, the stored documents the rest. A state with
 * `depot=<name>` folders is read depot by depot, each row and incident named with its depot.
 */
export class StoredReportSources implements ReportSources {
  readonly archiveLocation: string;
  #states: Promise<DepotStateReader[]> | undefined;

  constructor(
    private readonly locations: ReportLocations,
    private readonly options: ReportSourceOptions,
  ) {
    this.archiveLocation = where(locations.archive, options.baseDir);
  }

  /** Where the state is, for people: an absolute folder or the `s3://` URI. */
  get stateLocation(): string {
    return where(this.locations.state, this.options.baseDir);
  }

  /** The depots whose state there is, by name; none for the state of one fleet. */
  async depots(): Promise<string[]> {
    return (await this.#depotStates()).flatMap((s) => (s.depot === undefined ? [] : [s.depot]));
  }

  async dailyKpis(day: string): Promise<DepotKpiRow[]> {
    const states = await this.#depotStates();
    const rows = await Promise.all(
      states.map(async ({ depot, kpis }) => named(await kpis.loadDailyKpis(day), depot)),
    );
    return rows.flat();
  }

  /**
   * Reads only the history partitions of the period (and the day before: a run filed under the
   * day it started may deliver after midnight), then keeps the notices whose own day is in it.
   */
  async notices(period: ReportPeriod): Promise<HistoryNotice[]> {
    const days = daysOf({ from: addDays(period.from, -1), to: period.to });
    const texts = await Promise.all(
      days.map((day) =>
        documentsUnder(
          this.locations.archive,
          `incidents/date=${day}/`,
          '.jsonl',
          this.options.baseDir,
          this.options.s3,
        ),
      ),
    );
    return texts
      .flat()
      .flatMap(noticesIn)
      .filter((notice) => {
        const day = notice.at.slice(0, 10);
        return day >= period.from && day <= period.to;
      });
  }

  async currentIncidents(): Promise<DepotIncident[]> {
    const states = await this.#depotStates();
    const incidents = await Promise.all(
      states.map(async ({ depot, location }) =>
        named(await storedIncidents(location, '/', this.options.s3), depot),
      ),
    );
    return incidents.flat();
  }

  /** Found once per report: the listing is one request, the reads are many. */
  #depotStates(): Promise<DepotStateReader[]> {
    const { baseDir, s3 } = this.options;
    this.#states ??= depotStatesUnder(this.locations.state, baseDir, s3).then((states) =>
      states.map((state) => ({
        ...state,
        kpis: stateFrom(state.location, { baseDir, ...(s3 ? { s3 } : {}) }),
      })),
    );
    return this.#states;
  }
}

/** Records named with their depot; as they are for the state of one fleet. */
function named<T extends object>(
  records: T[],
  depot: string | undefined,
): (T & { depot?: string })[] {
  return depot === undefined ? records : records.map((record) => ({ ...record, depot }));
}

/** The report sources a config names (its `state` and `archive`), relative to `baseDir`. */
export function reportSourcesFrom(
  config: Pick<Config, 'state' | 'archive'>,
  options: ReportSourceOptions,
): StoredReportSources {
  return new StoredReportSources({ state: config.state, archive: config.archive }, options);
}

/**
 * The notices in one history file. A line that is not a notice (a write cut short) is left out
 * rather than failing the report: the history is a record for people, not the scan's state.
 */
function noticesIn(text: string): HistoryNotice[] {
  const notices: HistoryNotice[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const notice = JSON.parse(line) as HistoryNotice;
      if (typeof notice?.at === 'string' && typeof notice.incident === 'string')
        notices.push(notice);
    } catch {
      // See above: skipped.
    }
  }
  return notices;
}

function where(location: string, baseDir: string): string {
  return location.startsWith('s3://') ? location : resolve(baseDir, location);
}
