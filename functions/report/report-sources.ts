import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { stateFrom } from '../adapters/from-config.ts';
import { documentsUnder } from '../adapters/stored-documents.ts';
import { storedIncidents } from '../adapters/stored-incidents.ts';
import type { Config } from '../config/config.ts';
import type { DailyConnectorKpi } from '../core/fleet/daily-kpis.ts';
import type { Incident } from '../core/incidents/incident.ts';
import type { HistoryNotice, ReportPeriod, ReportSources } from '../core/report/report-input.ts';
import type { ScanState } from '../scan/ports.ts';
import { addDays, daysOf } from './report-period.ts';

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

/**
 * A report's sources on the state store and archive a config names, local folders and S3
 * alike: the state port reads the KPI rollups, the stored documents the rest.
 */
export class StoredReportSources implements ReportSources {
  readonly archiveLocation: string;
  private readonly state: Pick<ScanState, 'loadDailyKpis'>;

  constructor(
    private readonly locations: ReportLocations,
    private readonly options: ReportSourceOptions,
  ) {
    this.archiveLocation = where(locations.archive, options.baseDir);
    this.state = stateFrom(locations.state, {
      baseDir: options.baseDir,
      ...(options.s3 ? { s3: options.s3 } : {}),
    });
  }

  /** Where the state is, for people: an absolute folder or the `s3://` URI. */
  get stateLocation(): string {
    return where(this.locations.state, this.options.baseDir);
  }

  dailyKpis(day: string): Promise<DailyConnectorKpi[]> {
    return this.state.loadDailyKpis(day);
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

  currentIncidents(): Promise<Incident[]> {
    return storedIncidents(this.locations.state, this.options.baseDir, this.options.s3);
  }
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
