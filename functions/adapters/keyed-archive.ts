import { encodeKeySegment, quarantineKey, reasonKey, reportKey } from '../core/archive-layout.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import type { PutOutcome, ReportArchive, TextPieces } from '../scan/ports.ts';
import { linesOf } from './text-lines.ts';

/** Writes `body` under `key` unless something is there already; true when it wrote. */
export type CreateOnce = (key: string, body: TextPieces) => Promise<boolean>;

/** The text stored under `key`, or undefined when there is none. */
export type ReadText = (key: string) => Promise<string | undefined>;

/**
 * The archive layout on any store that can create a key once: S3 and a local folder differ
 * only in that one operation, so the layout and the quarantine rules live here, once.
 */
export class KeyedArchive implements ReportArchive {
  /** `depot` names the depot whose partition this archive writes, in a config of several. */
  constructor(
    readonly location: string,
    private readonly createOnce: CreateOnce,
    private readonly readText: ReadText,
    private readonly depot?: string,
  ) {}

  async putReport(
    origin: ReportOrigin,
    sessionDate: string,
    sessionId: string,
    body: string,
  ): Promise<PutOutcome> {
    return outcome(
      await this.createOnce(reportKey(origin, sessionDate, sessionId, this.depot), body),
    );
  }

  async putQuarantined(origin: ReportOrigin, body: string, reason: string): Promise<PutOutcome> {
    const key = quarantineKey(origin, body, this.depot);
    // The reason goes first: a report in quarantine never stands there without its why.
    await this.createOnce(reasonKey(key), `${JSON.stringify({ ...origin, reason }, null, 2)}\n`);
    return outcome(await this.createOnce(key, body));
  }

  async putIncidentHistory(day: string, name: string, jsonLines: TextPieces): Promise<PutOutcome> {
    const { depot } = this;
    if (depot === undefined)
      return outcome(await this.createOnce(historyKey(day, name), jsonLines));
    // The depots of one run share its id: each writes its own file, every line naming it.
    const lines = function* () {
      for (const line of linesOf(jsonLines))
        yield `${JSON.stringify({ depot, ...JSON.parse(line) })}\n`;
    };
    return outcome(await this.createOnce(historyKey(day, `${depot}.${name}`), lines));
  }

  async incidentHistoryIds(day: string, name: string): Promise<Set<string>> {
    const file = this.depot === undefined ? name : `${this.depot}.${name}`;
    const text = (await this.readText(historyKey(day, file))) ?? '';
    return new Set(text.split('\n').flatMap(idOfLine));
  }
}

/**
 * The notice id a history line names. A line that cannot be read (cut short, edited by hand)
 * names none: its notice counts as not delivered and is sent again rather than never.
 */
function idOfLine(line: string): string[] {
  try {
    const id = (JSON.parse(line) as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? [id] : [];
  } catch {
    return [];
  }
}

/** Where a history file goes: Athena's `date` partition of the incident history. */
function historyKey(day: string, name: string): string {
  return `incidents/date=${day}/${encodeKeySegment(name)}.jsonl`;
}

function outcome(created: boolean): PutOutcome {
  return created ? 'created' : 'exists';
}
