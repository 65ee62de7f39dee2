// Rounds of the per-report benchmark (bench/validation-vs-parse.ts) in a fresh process with the
// heap flags its parent chose, run with --expose-gc. Options as JSON in argv; prints one JSON
// line: the pages' size and every round's timings.
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { Severity } from '../../functions/core/finding.ts';
import { attributableFindings } from '../../functions/core/incidents/attributable.ts';
import type { JudgedSession } from '../../functions/core/incidents/incident.ts';
import { judgeSession } from '../../functions/core/judge-session.ts';
import { validateSessionReport } from '../../functions/core/session-report.ts';
import { ThresholdBook } from '../../functions/core/thresholds.ts';
import { type FleetOptions, SimulatedFleet } from '../../functions/simulator/fleet.ts';
import { itemTexts } from '../../functions/sources/depotfinity/page-items.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as {
  rounds: number;
  pageSize: number;
  fleet: Partial<FleetOptions>;
  lookbackMs: number;
  nowMs: number;
};
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
/** As functions/sources/depotfinity/session-reports.ts checks a page before it reads its items. */
const pageEnvelope = z.looseObject({ items: z.array(z.unknown()) });

type Page = { chargerId: string; connectorId: string; text: string };
/**
 * Milliseconds of one round: `parseOnly`, every page parsed and dropped; `whole`, every page
 * parsed and handled as the scan does; and the steps of `whole`.
 */
export type Round = {
  parseOnly: number;
  whole: number;
  /** CPU time of the process (user + system) in each pass, milliseconds. */
  parseOnlyCpu: number;
  wholeCpu: number;
  parse: number;
  read: number;
  validate: number;
  judge: number;
  /** Whether the whole pass ran first in this round. */
  wholeFirst: boolean;
};

const pages = apiPages();
const reports = pages.reduce((n, p) => n + (JSON.parse(p.text) as { items: [] }).items.length, 0);
const bytes = pages.reduce((sum, page) => sum + Buffer.byteLength(page.text), 0);
const thresholds = new ThresholdBook();
const rounds: Round[] = [];
let findings = 0;
for (let round = 0; round < options.rounds; round++) {
  const r: Round = {
    parseOnly: 0,
    whole: 0,
    parseOnlyCpu: 0,
    wholeCpu: 0,
    parse: 0,
    read: 0,
    validate: 0,
    judge: 0,
    wholeFirst: round % 2 === 1,
  };
  // Interleaved: every other round runs the whole pass first, so neither pass always follows
  // the other's garbage. A full collection before each pass starts both from the same heap.
  const passes = r.wholeFirst ? [wholePass, parseOnlyPass] : [parseOnlyPass, wholePass];
  for (const pass of passes) {
    gc();
    pass(r);
  }
  rounds.push(r);
}
process.stdout.write(
  `${JSON.stringify({ reports, bytes, pages: pages.length, findings, rounds })}\n`,
);

function parseOnlyPass(r: Round): void {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const { text } of pages) JSON.parse(text);
  r.parseOnly = performance.now() - start;
  r.parseOnlyCpu = cpuMs(process.cpuUsage(cpu));
}

function wholePass(r: Round): void {
  findings = 0;
  const cpu = process.cpuUsage();
  const wholeStart = performance.now();
  for (const { chargerId, connectorId, text } of pages) {
    const origin = { chargerId, connectorId };
    const t0 = performance.now();
    const json: unknown = JSON.parse(text);
    const t1 = performance.now();
    // Reading the page (SessionReportsClient): its envelope, each item's text as the API sent
    // it (the archive body: a slice of the page, never stringified again), and the digest of
    // a full page that catches an API ignoring `page`.
    const envelope = pageEnvelope.safeParse(json);
    if (!envelope.success) throw new Error('not a page');
    const values = envelope.data.items;
    const texts = itemTexts(text);
    if (texts?.length !== values.length) throw new Error('items not told apart');
    const items = values.map((value, i) => ({ json: texts[i] as string, value }));
    if (items.length === options.pageSize) {
      const hash = createHash('sha256');
      for (const item of items) hash.update(item.json).update('\u0000');
      hash.digest('hex');
    }
    const t2 = performance.now();
    // Validation and the archive's bookkeeping (scan-connector.ts, archiveItem); the write
    // itself is I/O and not counted.
    const archived = new Set<string>();
    const valid = [];
    for (const item of items) {
      const validation = validateSessionReport(item.value);
      if (!validation.ok) continue;
      const key = `${String(validation.report.sessionId)}@${validation.sessionDate}`;
      if (!archived.has(key)) archived.add(key);
      valid.push(validation);
    }
    const t3 = performance.now();
    // Rules and session facts (judgeSession), and what the scan keeps of each session.
    const sessions: JudgedSession[] = [];
    const findingsByRule: Record<string, number> = {};
    for (const { report, sessionDate } of valid) {
      const { session } = judgeSession(report, sessionDate, thresholds.for(origin), origin);
      for (const finding of session.findings) {
        findings++;
        findingsByRule[finding.rule] = (findingsByRule[finding.rule] ?? 0) + 1;
      }
      sessions.push(session);
    }
    const kept: { session: JudgedSession; severities: Severity[] }[] = sessions.map((session) => ({
      session: { ...session, findings: attributableFindings(session.findings) },
      severities: session.findings.map((f) => f.severity),
    }));
    const t4 = performance.now();
    if (kept.length !== valid.length) throw new Error('sessions lost');
    r.parse += t1 - t0;
    r.read += t2 - t1;
    r.validate += t3 - t2;
    r.judge += t4 - t3;
  }
  r.whole = performance.now() - wholeStart;
  r.wholeCpu = cpuMs(process.cpuUsage(cpu));
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

/** Every connector's window in pages, as the simulator sends them, oldest first. */
function apiPages(): Page[] {
  const fleet = new SimulatedFleet(options.fleet);
  const pages: Page[] = [];
  const { nowMs, lookbackMs, pageSize } = options;
  for (const chargerId of fleet.chargerIds()) {
    for (const connectorId of fleet.connectorIds()) {
      const sessions = fleet.sessionsBetween(
        chargerId,
        connectorId,
        nowMs - lookbackMs,
        nowMs,
        nowMs,
      );
      for (let at = 0; at < sessions.length; at += pageSize) {
        const items = sessions.slice(at, at + pageSize).map((s) => s.report);
        const text = JSON.stringify({ ChargerID: chargerId, ConnectorID: connectorId, items });
        pages.push({ chargerId, connectorId, text });
      }
    }
  }
  return pages;
}
