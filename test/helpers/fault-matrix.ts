import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishBatchCommand, type PublishBatchCommandInput } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { originFromKey, quarantineKey, reportKey } from '../../functions/core/archive-layout.ts';
import { evaluateReport } from '../../functions/core/evaluate.ts';
import type { Finding } from '../../functions/core/finding.ts';
import type { AttributionState } from '../../functions/core/fleet/attribution-state.ts';
import type { IncidentEvent } from '../../functions/core/incidents/incident.ts';
import { validateSessionReport } from '../../functions/core/session-report.ts';
import { defaultThresholds } from '../../functions/core/thresholds.ts';
import type { FanOutEvent, RunPlan, ShardOutcome } from '../../functions/lambda/fan-out-events.ts';
import { ScanIncompleteError, type ScanReport } from '../../functions/lambda/scan-handler.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { capturingOutput, lambdaAgainst, scheduledEvent, stopStandIns } from './lambda.ts';
import { type LocalS3, startS3 } from './s3rver.ts';
import { startSimulator } from './simulator.ts';
import { stateDocumentInS3 } from './state-document.ts';

/** Which path the runs take: one invocation each, or fanned out over shards. */
export type FaultMatrixMode = 'one invocation' | 'fanned out';

/**
 * Defines the fault matrix's tests for one path; the tests and their oracles are the same.
 */
export function faultMatrix(mode: FaultMatrixMode): void {
  /**
   * Three consecutive, overlapping scheduled runs against a misbehaving world:
   * run 1 — throttling (with Retry-After), 5xx, a timeout, a token rejected mid-run, one charger
   *         failing every time, one S3 report write failing (on a connector's second page), one
   *         SNS publish failing, and one incident-state write failing right after SNS accepted
   *         that connector's notices;
   * run 2 — the process dies after its third report write (everything after it hangs forever);
   * run 3 — a clean run, 15 minutes later, that must mend everything.
   *
   * What should exist comes from the simulator's own record of its fleet, never from what the
   * scan fetched; which faults should be told comes from the rules run over those reports.
   */
  // Cursors are rewritten on every run here, so each run's cursor moves can be checked.
  const SCAN = {
    pageSize: 10,
    initialLookbackHours: 12,
    overlapMinutes: 12 * 60,
    concurrency: 1,
    maxAttempts: 8,
    requestTimeoutMs: 500,
    cursorRefreshMinutes: 0,
  };
  /**
   * 45-minute slots: a session starts at most 41 minutes into its slot, so the simulator's
   * one-slot look-back finds every session whatever a window's start; a 12-hour window holds
   * 16 sessions, two pages of 10.
   */
  const FLEET = { chargers: 4, anomalyEvery: 3, invalidEvery: 7, sessionIntervalMinutes: 45 };
  const T0 = Date.parse('2026-11-24T12:00:00.000Z');
  const MINUTE = 60_000;
  const RUN_AT = [T0, T0 + 15 * MINUTE, T0 + 30 * MINUTE];
  const FAILING = 'HPC-004';
  /**
   * The connector whose report write fails in run 1: on its first page, on a report that started
   * after every later window's start, so the later runs read it again (and the page after it).
   */
  const REPORT_FAULT = { chargerId: 'HPC-003', connectorId: '2' };
  const REPORT_FAULT_AFTER = T0 - 10 * 60 * MINUTE;
  let clock = T0;
  let sim: DepotSimulator;
  let s3: LocalS3;

  /** S3 calls the test can break, and a count of successful writes per key. */
  const s3Faults = {
    failReportPut: true,
    failStateAfterPublish: true,
    freezeAfterReportPuts: Number.POSITIVE_INFINITY,
  };
  const successfulPuts = new Map<string, number>();
  let reportPuts = 0;
  let publishedSinceStateWrite = false;
  let reportFailedFor: string | undefined;
  let stateFailedFor: string | undefined;
  let publishFailedFor: string[] = [];
  /** The ids of the notices whose publish SNS refused. */
  let publishFailedIds: string[] = [];
  let failNextPublish = true;
  /** The run under way (0-based), for the records below. */
  let runIndex = 0;

  /** One notice as SNS accepted it, listed in full or only counted (`notListed`). */
  interface DeliveredNotice {
    run: number;
    id: string;
    event: IncidentEvent;
    incident: string;
    dedupKey: string;
    rule: string;
    chargerId: string;
    connectorId: string;
    /** Only for notices listed in full. */
    sessionIds?: string[];
  }
  /** Notices SNS accepted, in order, one entry per delivery. */
  const delivered: DeliveredNotice[] = [];
  /** Every reports request the scan made, for the paging and window checks (not an oracle). */
  const requests: {
    run: number;
    chargerId: string;
    connectorId: string;
    page: number;
    from: string;
    to: string;
    status: number;
    items: number;
  }[] = [];
  const cursorsAfterRun: Map<string, string>[] = [];
  const failedInRun: Set<string>[] = [];
  const deliveryErrorInRun: (string | undefined)[] = [];
  const errorsInRun: Map<string, string>[] = [];
  const crash = { finished: false, freezeAt: 0, putsAtEnd: 0 };

  const recordingFetch: typeof fetch = async (input, init) => {
    const run = runIndex;
    const response = await fetch(input, init);
    const url = new URL(String(input));
    if (url.pathname === '/v1/sessionReports') {
      const q = url.searchParams;
      const items =
        response.status === 200
          ? ((await response.clone().json()) as { items: unknown[] }).items.length
          : 0;
      requests.push({
        run,
        chargerId: q.get('chargerId') ?? '',
        connectorId: q.get('connectorId') ?? '',
        page: Number(q.get('page') ?? 1),
        from: q.get('from') ?? '',
        to: q.get('to') ?? '',
        status: response.status,
        items,
      });
    }
    return response;
  };

  beforeAll(async () => {
    sim = await startSimulator({ fleet: FLEET, now: () => clock });
    s3 = await startS3();
    wrapS3();

    // Run 1: the API misbehaves in every documented way.
    sim.inject({ kind: 'status', status: 429, retryAfter: '1', times: 3, endpoint: 'reports' });
    sim.inject({ kind: 'status', status: 502, times: 2, endpoint: 'reports' });
    sim.inject({ kind: 'slow', delayMs: 800, times: 1, endpoint: 'reports' });
    // One 401: the token is rejected mid-run and a fresh one is taken. (A second 401 in a row
    // would be the fresh token refused too: the connector fails before reading a page.)
    sim.inject({
      kind: 'status',
      status: 401,
      times: 1,
      endpoint: 'reports',
      chargerId: 'HPC-002',
    });
    sim.inject({
      kind: 'status',
      status: 503,
      times: Number.POSITIVE_INFINITY,
      chargerId: FAILING,
    });
    await run(await freshLambda());

    // Run 2: dies after three report writes. It is given until it has frozen, and a little more
    // to show that it does not finish; then the world goes on without it.
    runIndex = 1;
    clock = RUN_AT[1] as number;
    s3Faults.freezeAfterReportPuts = reportPuts + 3;
    crash.freezeAt = s3Faults.freezeAfterReportPuts;
    const dead = run(await freshLambda()).then(() => {
      crash.finished = true;
    });
    await Promise.race([dead, frozenThenGrace(500, 20_000)]);
    crash.putsAtEnd = reportPuts;
    // The dead run's calls stay hung forever.
    s3Faults.freezeAfterReportPuts = Number.POSITIVE_INFINITY;
    failedInRun[1] = new Set(['*']); // a dead run vouches for nothing
    cursorsAfterRun[1] = await cursors();

    // Run 3: a new container, fifteen minutes later, nothing broken but the one charger.
    runIndex = 2;
    clock = RUN_AT[2] as number;
    await run(await freshLambda());
  }, 60_000);

  afterAll(async () => {
    await sim.stop();
    await s3.stop();
    await stopStandIns();
  });

  /** A new container: its own SNS client, whose publishes go through `publish`. */
  async function freshLambda() {
    const lambda = await lambdaAgainst(sim, s3, {
      now: () => clock,
      scan: SCAN,
      fetch: recordingFetch,
      // 8 connectors, 3 to a shard: three shards, the last of two.
      ...(mode === 'fanned out' ? { env: { DEPOT_WATCH_SHARD_CONNECTORS: '3' } } : {}),
    });
    lambda.snsMock.on(PublishBatchCommand).callsFake(publish);
    return lambda;
  }

  async function publish(input: PublishBatchCommandInput) {
    if (frozen()) return hang();
    const notices = (input.PublishBatchRequestEntries ?? []).flatMap((e) => noticesIn(e.Message));
    if (failNextPublish) {
      failNextPublish = false;
      publishFailedFor = [...new Set(notices.map((n) => `${n.chargerId}/${n.connectorId}`))];
      publishFailedIds = notices.map((n) => n.id);
      throw Object.assign(new Error('Internal error'), { name: 'InternalErrorException' });
    }
    delivered.push(...notices);
    publishedSinceStateWrite = true;
    return { Successful: [], Failed: [] };
  }

  async function run(lambda: Awaited<ReturnType<typeof lambdaAgainst>>): Promise<void> {
    const index = runIndex;
    const { result, error } = await capturingOutput(() =>
      mode === 'fanned out'
        ? asStateMachine(lambda)
        : lambda.handler(scheduledEvent(new Date(clock).toISOString())),
    );
    const report: ScanReport | undefined =
      result ?? (error instanceof ScanIncompleteError ? error.report : undefined);
    if (!report) throw error;
    failedInRun[index] = new Set(report.failed.map((f) => `${f.chargerId}/${f.connectorId}`));
    deliveryErrorInRun[index] = report.deliveryError;
    errorsInRun[index] = new Map(
      report.failed.map((f) => [`${f.chargerId}/${f.connectorId}`, f.error]),
    );
    cursorsAfterRun[index] = await cursors();
  }

  function frozen(): boolean {
    return reportPuts >= s3Faults.freezeAfterReportPuts;
  }

  function hang(): Promise<never> {
    return new Promise(() => undefined);
  }

  /** Resolves `graceMs` after the freeze point is reached, or after `capMs` if it never is. */
  async function frozenThenGrace(graceMs: number, capMs: number): Promise<void> {
    const started = Date.now();
    while (!frozen() && Date.now() - started < capMs)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, graceMs));
  }

  function wrapS3(): void {
    const send = s3.client.send.bind(s3.client) as (command: unknown) => Promise<unknown>;
    (s3.client as unknown as { send: (command: unknown) => Promise<unknown> }).send = async (
      command,
    ) => {
      if (frozen()) return hang();
      if (command instanceof PutObjectCommand) {
        const key = command.input.Key ?? '';
        const origin = originFromKey(key.replace(/\.json$/, '/'));
        const connector = `${origin?.chargerId}/${origin?.connectorId}`;
        if (
          key.includes('/reports/') &&
          s3Faults.failReportPut &&
          connector === `${REPORT_FAULT.chargerId}/${REPORT_FAULT.connectorId}` &&
          Date.parse(JSON.parse(String(command.input.Body)).sessionTimeStart) >= REPORT_FAULT_AFTER
        ) {
          s3Faults.failReportPut = false;
          reportFailedFor = key;
          throw Object.assign(new Error('We encountered an internal error. Please try again.'), {
            name: 'InternalError',
            $metadata: { httpStatusCode: 500 },
          });
        }
        // The state document's write after a delivery: the one that takes the delivered
        // notices out of the outbox.
        const incidentState = key === 'state/state.json';
        if (incidentState && publishedSinceStateWrite && s3Faults.failStateAfterPublish) {
          s3Faults.failStateAfterPublish = false;
          stateFailedFor = key;
          throw Object.assign(new Error('Service unavailable'), {
            name: 'ServiceUnavailable',
            $metadata: { httpStatusCode: 503 },
          });
        }
        const response = await send(command);
        if (incidentState) publishedSinceStateWrite = false;
        successfulPuts.set(key, (successfulPuts.get(key) ?? 0) + 1);
        if (key.includes('/reports/')) reportPuts++;
        return response;
      }
      return send(command);
    };
  }

  /** The notices one SNS message carries: those listed in full, and those only counted. */
  function noticesIn(message: string | undefined): DeliveredNotice[] {
    const body = JSON.parse(JSON.parse(message ?? '{}').default) as {
      chargerId: string;
      notices: (Omit<DeliveredNotice, 'run' | 'sessionIds'> & { sessionIds: string[] })[];
      notListed: {
        id: string;
        dedupKey: string;
        event: IncidentEvent;
        rule: string;
        connectorId: string;
      }[];
    };
    const run = runIndex;
    return [
      ...body.notices.map((n) => ({
        run,
        id: n.id,
        event: n.event,
        incident: n.incident,
        dedupKey: n.dedupKey,
        rule: n.rule,
        chargerId: n.chargerId,
        connectorId: n.connectorId,
        sessionIds: n.sessionIds,
      })),
      ...body.notListed.map((n) => ({
        run,
        id: n.id,
        event: n.event,
        incident: n.dedupKey,
        dedupKey: n.dedupKey,
        rule: n.rule,
        chargerId: body.chargerId,
        connectorId: n.connectorId,
      })),
    ];
  }

  async function cursors(): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    const document = await stateDocumentInS3(s3.client, s3.bucket, 'state/').catch(() => undefined);
    for (const cursor of Object.values(document?.cursors ?? {}))
      result.set(`${cursor.chargerId}/${cursor.connectorId}`, cursor.fetchedUntil);
    return result;
  }

  async function body(key: string): Promise<string> {
    const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return (await object.Body?.transformToString()) ?? '';
  }

  const connectors = () =>
    sim.fleet.chargerIds().flatMap((chargerId) =>
      sim.fleet.connectorIds().map((connectorId) => ({
        chargerId,
        connectorId,
        name: `${chargerId}/${connectorId}`,
      })),
    );

  /**
   * The window each run reads for a connector, worked out from the settings and the cursors
   * each run left behind: a connector without a cursor looks back `initialLookbackHours` from
   * the run's start, one with a cursor reaches `overlapMinutes` before it.
   */
  function windowsOf(name: string): { from: number; to: number }[] {
    return RUN_AT.map((to, run) => {
      const cursor = run === 0 ? undefined : cursorsAfterRun[run - 1]?.get(name);
      const from = cursor
        ? Date.parse(cursor) - SCAN.overlapMinutes * MINUTE
        : to - SCAN.initialLookbackHours * 60 * MINUTE;
      return { from, to };
    });
  }

  /** The union of one connector's three windows: they overlap, so it is one span. */
  function unionOf(name: string): { from: number; to: number } {
    const windows = windowsOf(name);
    for (let i = 1; i < windows.length; i++)
      expect(windows[i]?.from).toBeLessThanOrEqual(windows[i - 1]?.to as number);
    return {
      from: Math.min(...windows.map((w) => w.from)),
      to: Math.max(...windows.map((w) => w.to)),
    };
  }

  /**
   * Every report the simulator holds in the union of the three runs' windows, as it serves it
   * (the bytes the archive must keep), with its archive or quarantine key and its findings.
   */
  function existingReports() {
    const thresholds = defaultThresholds();
    const last = RUN_AT[2] as number;
    return connectors()
      .filter((c) => c.chargerId !== FAILING)
      .flatMap(({ chargerId, connectorId, name }) => {
        const { from, to } = unionOf(name);
        return sim.fleet.sessionsBetween(chargerId, connectorId, from, to, last).map((session) => {
          const origin = { chargerId, connectorId };
          const text = JSON.stringify(session.report);
          const validation = validateSessionReport(JSON.parse(text));
          return validation.ok
            ? {
                ...origin,
                session,
                text,
                valid: true as const,
                key: `archive/${reportKey(origin, validation.sessionDate, String(validation.report.sessionId))}`,
                findings: evaluateReport(validation.report, thresholds, origin).findings,
              }
            : {
                ...origin,
                session,
                text,
                valid: false as const,
                key: `archive/${quarantineKey(origin, text)}`,
                findings: [] as Finding[],
              };
        });
      });
  }

  const where = (n: { chargerId: string; connectorId: string }) =>
    `${n.chargerId}/${n.connectorId}`;
  const ruleAt = (n: { chargerId: string; connectorId: string; rule: string }) =>
    `${where(n)}/${n.rule}`;

  describe(`three overlapping runs through throttling, failures and a crash, ${mode}`, () => {
    it('archived every valid report that exists in the windows exactly once, and quarantined every invalid one', async () => {
      const reports = existingReports();
      const valid = reports.filter((r) => r.valid);
      const invalid = reports.filter((r) => !r.valid);
      expect(valid.length).toBeGreaterThan(80);
      expect(invalid.length).toBeGreaterThan(3);
      // The simulator's own marks agree with the validation: what it spoiled is what is invalid.
      for (const r of reports) expect(r.valid).toBe(!r.session.invalid);

      const reportKeys = await s3.keys('archive/reports/');
      expect(reportKeys).toEqual(valid.map((r) => r.key).sort());
      for (const key of reportKeys) expect(successfulPuts.get(key), key).toBe(1);
      // Kept byte for byte as the API served them.
      for (const r of valid) expect(await body(r.key), r.key).toBe(r.text);

      const quarantined = (await s3.keys('archive/quarantine/')).filter(
        (k) => !k.endsWith('.reason.json'),
      );
      expect(quarantined).toEqual(invalid.map((r) => r.key).sort());
      for (const key of quarantined) {
        expect(successfulPuts.get(key), key).toBe(1);
        expect(await body(key.replace(/\.json$/, '.reason.json'))).toContain('energySocEnd');
      }
      expect(
        [...reportKeys, ...quarantined].some((k) => originFromKey(k)?.chargerId === FAILING),
      ).toBe(false);
      // The failed write really happened, on a report that a later run then archived.
      expect(reportFailedFor).toBeDefined();
      expect(reportKeys).toContain(reportFailedFor);
    });

    it('read every window in several pages, over exactly the windows the settings call for', () => {
      for (const { chargerId, connectorId, name } of connectors()) {
        const mine = requests.filter(
          (r) => r.chargerId === chargerId && r.connectorId === connectorId && r.status === 200,
        );
        if (chargerId === FAILING) {
          expect(mine, name).toEqual([]);
          continue;
        }
        const windows = windowsOf(name);
        for (const run of [0, 1, 2]) {
          const inRun = mine.filter((r) => r.run === run);
          const window = windows[run] as { from: number; to: number };
          for (const r of inRun) {
            expect(Date.parse(r.from), `${name} run ${run + 1}`).toBe(window.from);
            expect(Date.parse(r.to), `${name} run ${run + 1}`).toBe(window.to);
          }
          if (run === 1) continue; // the dead run read what it read
          // A full first page, then a second one: the window spans pages. The connector whose
          // report write failed stopped after the page that held it.
          expect(
            inRun.find((r) => r.page === 1),
            `${name} run ${run + 1}`,
          ).toMatchObject({ items: SCAN.pageSize });
          const stopped = run === 0 && name === where(REPORT_FAULT);
          expect(
            inRun.some((r) => r.page === 2),
            `${name} run ${run + 1}`,
          ).toBe(!stopped);
        }
      }
    });

    it('died in the second run after its third report write', () => {
      expect(crash.finished).toBe(false);
      expect(crash.putsAtEnd).toBeGreaterThanOrEqual(crash.freezeAt);
      expect(Number.isFinite(crash.freezeAt)).toBe(true);
      // It had started: it read the API before it died.
      expect(requests.some((r) => r.run === 1 && r.status === 200)).toBe(true);
    });

    it('told every critical fault, only real faults, and each opening once but for the documented at-least-once case', async () => {
      const reports = existingReports().filter((r) => r.valid);
      const found = new Set(reports.flatMap((r) => r.findings.map(ruleAt)));
      const critical = new Set(
        reports.flatMap((r) => r.findings.filter((f) => f.severity === 'critical').map(ruleAt)),
      );
      expect(critical.size).toBeGreaterThan(3);

      // No notice was delivered twice, and every one is about a connector of the fleet (none for
      // the depot: its outage incident is only for a run in which no connector could be read).
      const ids = delivered.map((n) => n.id);
      expect(new Set(ids).size).toBe(ids.length);
      const fleet = new Set(connectors().map((c) => c.name));
      for (const notice of delivered) {
        expect(fleet.has(where(notice)), notice.id).toBe(true);
        expect(notice.dedupKey, notice.id).toBe(notice.incident);
        // Decided by the run that sent it, or by an earlier one whose delivery failed: the id
        // ends with that run's time, and stays the same however late it goes out.
        const decidedAt = notice.id.slice(`${notice.incident}:${notice.event}:`.length);
        expect(RUN_AT.slice(0, notice.run + 1).map((t) => new Date(t).toISOString())).toContain(
          decidedAt,
        );
        expect(notice.chargerId, notice.id).not.toBe(FAILING);
      }

      // (a) Every critical fault was told (opened, or escalated), or — a fault a bus can cause as
      // well as the charger — still waits in the fleet's record for the evidence that tells
      // which, as the hold allows.
      const told = new Set(
        delivered.filter((n) => n.event === 'open' || n.event === 'escalate').map(ruleAt),
      );
      const state = await stateDocumentInS3(s3.client, s3.bucket, 'state/');
      const fleetRecord = state.attribution as AttributionState;
      const waiting = fleetRecord.failures.flatMap((m) => (m.held ?? []).map(ruleAt));
      for (const fault of critical) expect([...told, ...waiting], fault).toContain(fault);

      // (b) Nothing was told that the rules did not find, and a notice about failed sessions
      // names sessions of that connector where its rule fired.
      for (const notice of delivered) expect(found, notice.id).toContain(ruleAt(notice));
      const firedIn = new Set(
        reports.flatMap((r) => r.findings.map((f) => `${ruleAt(f)}/${r.session.sessionId}`)),
      );
      for (const notice of delivered.filter((n) => n.event !== 'resolve'))
        for (const sessionId of notice.sessionIds ?? [])
          expect(firedIn, notice.id).toContain(`${ruleAt(notice)}/${sessionId}`);

      // (c) Each incident opened once, though the state write after a delivery failed and the
      // second run died: the first run's receipt (its incident history) says what it delivered.
      expect(stateFailedFor).toBeDefined();
      const opens = delivered.filter((d) => d.event === 'open').map((n) => n.incident);
      expect(new Set(opens).size).toBe(opens.length);
      // The notices whose delivery failed in run 1 went out in a later run, once each.
      expect(publishFailedIds.length).toBeGreaterThan(0);
      for (const id of publishFailedIds) {
        const sent = delivered.filter((n) => n.id === id);
        expect(sent, id).toHaveLength(1);
        expect(sent[0]?.run, id).toBeGreaterThan(0);
      }

      // (d) Nothing was published for the charger that always fails, by any path: its connectors
      // read nothing, so they have no incidents, and the depot's outage incident is only for a
      // run in which no connector at all could be read (here six of eight were).
      expect(delivered.filter((n) => n.chargerId === FAILING)).toEqual([]);
      const incidentRecords = Object.values(state.incidents).map(where);
      expect(incidentRecords.sort()).toEqual(
        connectors()
          .filter((c) => c.chargerId !== FAILING)
          .map((c) => c.name)
          .sort(),
      );
    });

    it('moved each cursor only past windows it finished, and never for the charger that always fails', () => {
      const [afterFirst, afterCrash, afterLast] = cursorsAfterRun;
      const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
      for (const connector of failedInRun[0] ?? []) expect(afterFirst?.has(connector)).toBe(false);
      expect(afterFirst?.size).toBe(8 - (failedInRun[0]?.size ?? 0));
      for (const position of afterFirst?.values() ?? []) expect(position).toBe(at(0));
      // The dead run committed nothing: every cursor is where the first run left it.
      expect(afterCrash).toEqual(afterFirst);
      expect(afterLast?.size).toBe(6);
      for (const position of afterLast?.values() ?? []) expect(position).toBe(at(30));
      expect([...(afterLast?.keys() ?? [])].some((c) => c.startsWith(FAILING))).toBe(false);
    });

    it('saw the faults it was meant to see in the first run', () => {
      // The charger that always fails and the connector whose report write failed; the failed
      // publish fails the run too, but no connector: its notices wait in the outbox.
      const expected = new Set([`${FAILING}/1`, `${FAILING}/2`, where(REPORT_FAULT)]);
      expect(publishFailedFor.length).toBeGreaterThan(0);
      expect(deliveryErrorInRun[0]).toMatch(/not delivered, kept for the next run/);
      expect(failedInRun[0], JSON.stringify([...(errorsInRun[0] ?? [])])).toEqual(expected);
      expect(failedInRun[2], JSON.stringify([...(errorsInRun[2] ?? [])])).toEqual(
        new Set([`${FAILING}/1`, `${FAILING}/2`]),
      );
    });
  });
}

/**
 * A run as the stack's state machine drives it: plan, each shard in turn (a shard that throws
 * is tried twice more, then passed on as the map's Catch passes it), and the finish.
 */
async function asStateMachine(
  lambda: Awaited<ReturnType<typeof lambdaAgainst>>,
): Promise<ScanReport> {
  const step = (event: FanOutEvent) => lambda.handler(event) as Promise<unknown>;
  const plan = (await step({ kind: 'plan' })) as RunPlan;
  // 8 connectors at 3 a shard: the run really fans out.
  if (plan.shards.length !== 3) throw new Error(`planned ${plan.shards.length} shards, not 3`);
  const run = { runId: plan.runId, startedAt: plan.startedAt };
  const ends: (
    | ShardOutcome
    | { shard: RunPlan['shards'][number]; error: { Error: string; Cause: string } }
  )[] = [];
  for (const shard of plan.shards) {
    let last: unknown;
    let outcome: ShardOutcome | undefined;
    for (let attempt = 1; attempt <= 3 && !outcome; attempt++) {
      try {
        outcome = (await step({ kind: 'shard', ...run, shard })) as ShardOutcome;
      } catch (error) {
        last = error;
      }
    }
    ends.push(
      outcome ?? {
        shard,
        error: {
          Error: (last as Error).name,
          Cause: JSON.stringify({ errorMessage: (last as Error).message }),
        },
      },
    );
  }
  return (await step({ kind: 'finish', ...run, shards: ends })) as ScanReport;
}
