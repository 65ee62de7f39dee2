import { describe, expect, it } from 'vitest';
import type { Severity } from '../../functions/core/finding.ts';
import type { DailyConnectorKpi } from '../../functions/core/fleet/daily-kpis.ts';
import type { Incident, IncidentSubject } from '../../functions/core/incidents/incident.ts';
import { buildHealthReport } from '../../functions/health-report/model/health-report.ts';
import {
  formatChange,
  formatKwh,
  isoWeekOf,
} from '../../functions/health-report/model/report-format.ts';
import type {
  HealthReportInput,
  HistoryNotice,
} from '../../functions/health-report/model/report-input.ts';
import { kpiRow } from '../helpers/kpi-rows.ts';

/** A KPI row with only the sums the report reads; the derived rates are left at zero on purpose. */
const kpi = (
  date: string,
  chargerId: string,
  connectorId: string,
  sessions: number,
  successfulSessions: number,
  faultFreeSessions: number,
  energyDeliveredWh: number,
  efficiencySumPercent: number,
  efficiencySessions: number,
): DailyConnectorKpi =>
  kpiRow({
    date,
    chargerId,
    connectorId,
    sessions,
    successfulSessions,
    faultFreeSessions,
    energyDeliveredWh,
    efficiencySessions,
    efficiencySumPercent,
  });

interface Where {
  subject?: IncidentSubject;
  chargerId: string;
  connectorId: string;
  vehicleId?: string;
}

const notice = (
  event: HistoryNotice['event'],
  incident: string,
  rule: string,
  where: Where,
  at: string,
  sessionIds: string[],
): HistoryNotice => ({
  event,
  incident,
  rule,
  subject: where.subject ?? 'connector',
  chargerId: where.chargerId,
  connectorId: where.connectorId,
  ...(where.vehicleId ? { vehicleId: where.vehicleId } : {}),
  severity: 'warning',
  at,
  sessionIds,
  title: `${rule} on ${where.vehicleId ?? where.chargerId}`,
  occurrence: 1,
});

const incident = (
  id: string,
  rule: string,
  where: Where,
  status: Incident['status'],
  severity: Severity,
  openedAt: string,
  sessionIds: string[],
): Incident => ({
  id,
  key: rule,
  rule,
  subject: where.subject ?? 'connector',
  chargerId: where.chargerId,
  connectorId: where.connectorId,
  ...(where.vehicleId ? { vehicleId: where.vehicleId } : {}),
  status,
  severity,
  occurrence: 1,
  escalated: false,
  firstFindingAt: openedAt,
  lastFindingAt: openedAt,
  openedAt,
  sessionIds,
  failedSinceNotice: [],
  failedSinceNoticeCount: 0,
  cleanSessions: [],
  latest: {
    rule,
    severity,
    chargerId: where.chargerId,
    connectorId: where.connectorId,
    sessionId: sessionIds.at(-1) ?? '',
    title: `Latest ${rule}`,
    message: 'm',
    evidence: {},
    fingerprint: `fp-${id}`,
  },
  context: [],
  notified: {},
});

const C11 = { chargerId: 'HPC-001', connectorId: '1' };
const C21 = { chargerId: 'HPC-002', connectorId: '1' };
const C22 = { chargerId: 'HPC-002', connectorId: '2' };
const BUS117 = {
  subject: 'vehicle' as const,
  chargerId: 'HPC-002',
  connectorId: '1',
  vehicleId: 'BUS-117',
};
const BUS200 = {
  subject: 'vehicle' as const,
  chargerId: 'HPC-001',
  connectorId: '2',
  vehicleId: 'BUS-200',
};
const BUS300 = {
  subject: 'vehicle' as const,
  chargerId: 'HPC-001',
  connectorId: '1',
  vehicleId: 'BUS-300',
};

// The period is ISO week 2026-W20 (Mon 11 – Sun 17 May), the previous one 2026-W19.
const input: HealthReportInput = {
  depot: 'North depot',
  generatedAt: '2026-05-18T06:00:00.000Z',
  period: { from: '2026-05-11', to: '2026-05-17' },
  previous: { from: '2026-05-04', to: '2026-05-10' },
  archiveLocation: 's3://depot-archive/archive/',
  kpis: [
    //   date        charger    conn sess ok  free   Wh         effSum effN
    kpi('2026-05-05', 'HPC-001', '1', 4, 4, 3, 200_000, 380, 4),
    kpi('2026-05-11', 'HPC-001', '1', 5, 4, 3, 1_250_000, 470, 5),
    kpi('2026-05-12', 'HPC-001', '1', 3, 3, 3, 150_500, 288, 3),
    kpi('2026-05-11', 'HPC-001', '2', 2, 1, 1, 90_000, 180, 2),
    kpi('2026-05-06', 'HPC-002', '1', 6, 5, 5, 300_000, 0, 0),
    kpi('2026-05-11', 'HPC-002', '1', 4, 4, 4, 180_000, 372, 4),
    kpi('2026-05-13', 'HPC-002', '2', 2, 0, 0, 20_000, 85, 1),
    // After the period: never counted.
    kpi('2026-05-20', 'HPC-002', '2', 100, 100, 100, 9_000_000, 9_000, 100),
  ],
  notices: [
    notice('open', 'inc-a', 'converter-error-counter', C11, '2026-05-05T10:00:00Z', ['s1', 's2']),
    notice('resolve', 'inc-old', 'soc-shortfall', C21, '2026-05-11T12:00:00Z', ['s70']),
    notice('resolve', 'inc-a', 'converter-error-counter', C11, '2026-05-12T08:00:00Z', ['s9']),
    notice('open', 'inc-c', 'battery-misalignment', BUS117, '2026-05-11T06:00:00Z', ['s30', 's31']),
    notice('open', 'inc-f', 'converter-error-counter', C21, '2026-05-12T03:00:00Z', ['s60']),
    notice('open', 'inc-b', 'converter-error-counter', C11, '2026-05-13T09:00:00Z', ['s20']),
    notice('reminder', 'inc-b', 'converter-error-counter', C11, '2026-05-14T09:00:00Z', ['s22']),
    notice('open', 'inc-j', 'breaker-open-under-load', BUS300, '2026-05-14T00:00:00Z', ['s90']),
    notice('open', 'inc-d', 'converter-efficiency-drift', C22, '2026-05-14T12:00:00Z', ['s40']),
    notice('escalate', 'inc-b', 'converter-error-counter', C11, '2026-05-15T09:00:00Z', ['s21']),
    notice('open', 'inc-e', 'converter-error-counter', C11, '2026-05-16T00:30:00Z', ['s50']),
    // After the period: in no count.
    notice('open', 'inc-z', 'converter-error-counter', C11, '2026-05-18T01:00:00Z', ['s99']),
  ],
  incidents: [
    incident('inc-b', 'converter-error-counter', C11, 'open', 'critical', '2026-05-13T09:00:00Z', [
      's20',
      's21',
    ]),
    incident('inc-c', 'battery-misalignment', BUS117, 'open', 'warning', '2026-05-11T06:00:00Z', [
      's30',
      's31',
      's32',
    ]),
    incident('inc-f', 'converter-error-counter', C21, 'open', 'warning', '2026-05-12T03:00:00Z', [
      's60',
    ]),
    incident('inc-h', 'soc-shortfall', BUS200, 'open', 'warning', '2026-05-01T00:00:00Z', ['s80']),
    incident(
      'inc-i',
      'power-derating-drift',
      { ...C21, subject: 'charger' },
      'open',
      'info',
      '2026-05-09T00:00:00Z',
      ['s85'],
    ),
    incident(
      'inc-e',
      'converter-error-counter',
      C11,
      'resolved',
      'warning',
      '2026-05-16T00:30:00Z',
      ['s50'],
    ),
    incident('inc-g', 'soc-shortfall', C22, 'pending', 'warning', '2026-05-16T00:00:00Z', ['s95']),
  ],
};

const report = buildHealthReport(input);
const headline = (key: string) => report.headline.find((k) => k.key === key);

describe('the health report headline', () => {
  it('adds up sessions of the period only: 5+3+2+4+2 = 16 against 4+6 = 10', () => {
    expect(headline('sessions')).toMatchObject({
      value: 16,
      previousValue: 10,
      change: 6,
      display: '16',
      changeDisplay: '+6',
    });
  });

  it('gives energy in kWh from the exact Wh sums: 1 690 500 Wh against 500 000 Wh', () => {
    expect(headline('energy')).toMatchObject({
      value: 1690.5,
      previousValue: 500,
      change: 1190.5,
      display: '1,690.5 kWh',
      previousDisplay: '500.0 kWh',
      changeDisplay: '+1,190.5 kWh',
    });
  });

  it('gives the success rate 12/16 = 75 % against 9/10 = 90 %, a fall of 15 points', () => {
    expect(headline('success')).toMatchObject({
      value: 75,
      previousValue: 90,
      change: -15,
      display: '75.0 %',
      changeDisplay: '−15.0 pp',
    });
  });

  it('gives the fault-free rate 11/16 = 68.75 % against 8/10 = 80 %', () => {
    expect(headline('fault-free')).toMatchObject({
      value: 68.75,
      previousValue: 80,
      change: -11.25,
      display: '68.8 %',
      changeDisplay: '−11.3 pp',
    });
  });

  it('shows a rate rounded once from the exact share: 1,802 / 2,001 = 90.0549 % is 90.1 %, as Athena gives it', () => {
    const rates = buildHealthReport({
      ...input,
      kpis: [kpi('2026-05-11', 'HPC-001', '1', 2001, 1802, 1802, 1_000_000, 0, 0)],
    });
    expect(rates.headline.find((k) => k.key === 'fault-free')).toMatchObject({
      value: 90.05,
      display: '90.1 %',
    });
  });

  it('counts incidents open now (5) against those open when the period began (4)', () => {
    // Open now: b, c, f, h, i. At the start: h and i (opened before), a (opened in W19,
    // resolved in W20) and old (resolved in W20, opened before the history); not b, c, f.
    expect(headline('open-incidents')).toMatchObject({ value: 5, previousValue: 4, change: 1 });
  });

  it('names the Athena query that reproduces each headline number', () => {
    expect(headline('sessions')?.evidence.athena).toBe(
      `SELECT sum(sessions) AS sessions FROM depot_watch.daily_connector_kpis WHERE "date" BETWEEN '2026-05-11' AND '2026-05-17'`,
    );
    expect(headline('open-incidents')?.evidence.athena).toContain('depot_watch.incident_history');
  });
});

describe('the per-charger trends', () => {
  const hpc1 = report.chargers.find((c) => c.chargerId === 'HPC-001');
  const hpc2 = report.chargers.find((c) => c.chargerId === 'HPC-002');
  const day = (trend: typeof hpc1, date: string) => trend?.days.find((d) => d.date === date);

  it('covers both periods day by day, one trend per charger', () => {
    expect(report.chargers.map((c) => c.chargerId)).toEqual(['HPC-001', 'HPC-002']);
    expect(hpc1?.days).toHaveLength(14);
    expect(hpc1?.days[0]).toMatchObject({ date: '2026-05-04', period: 'previous', sessions: 0 });
    expect(hpc1?.days[13]).toMatchObject({ date: '2026-05-17', period: 'current' });
  });

  it('weighs efficiency by judged sessions: (470 + 180) / (5 + 2) = 92.86, not (94 + 90) / 2', () => {
    expect(day(hpc1, '2026-05-11')).toMatchObject({
      sessions: 7,
      successfulSessions: 5,
      failedSessions: 2,
      efficiencyPercent: 92.86,
      efficiencySessions: 7,
    });
    expect(day(hpc1, '2026-05-12')?.efficiencyPercent).toBe(96);
    expect(day(hpc1, '2026-05-05')?.efficiencyPercent).toBe(95);
    expect(day(hpc1, '2026-05-13')?.efficiencyPercent).toBeNull();
  });

  it('leaves efficiency empty on a day where no session could be judged', () => {
    expect(day(hpc2, '2026-05-06')).toMatchObject({
      sessions: 6,
      failedSessions: 1,
      efficiencyPercent: null,
    });
  });

  it('sums the period per charger: HPC-001 10 sessions, 2 failed, 938/10 = 93.8 %', () => {
    expect(hpc1).toMatchObject({ sessions: 10, failedSessions: 2, efficiencyPercent: 93.8 });
    // HPC-002: 4 + 2 sessions, 0 + 2 failed, (372 + 85) / (4 + 1) = 91.4 %.
    expect(hpc2).toMatchObject({ sessions: 6, failedSessions: 2, efficiencyPercent: 91.4 });
  });

  it('points at the charger and connector folders in the archive', () => {
    expect(hpc1?.evidence.archivePaths).toEqual([
      's3://depot-archive/archive/reports/charger=HPC-001/',
      's3://depot-archive/archive/reports/charger=HPC-001/connector=1/',
      's3://depot-archive/archive/reports/charger=HPC-001/connector=2/',
    ]);
  });
});

describe('the incident sections', () => {
  it('counts open and escalate notices per rule and ISO week in both periods', () => {
    expect(report.weeks).toEqual(['2026-W19', '2026-W20']);
    expect(report.faultsByWeek).toEqual([
      { week: '2026-W19', rule: 'converter-error-counter', notices: 1 },
      { week: '2026-W20', rule: 'battery-misalignment', notices: 1 },
      { week: '2026-W20', rule: 'breaker-open-under-load', notices: 1 },
      { week: '2026-W20', rule: 'converter-efficiency-drift', notices: 1 },
      // inc-f open, inc-b open, inc-b escalate, inc-e open; the reminder is no fault.
      { week: '2026-W20', rule: 'converter-error-counter', notices: 4 },
    ]);
  });

  it('ranks recurring faults by incidents opened on one subject in the period', () => {
    expect(
      report.topRecurring.map((f) => [f.rule, f.subjectLabel, f.opened, f.evidence.sessionIds]),
    ).toEqual([
      ['converter-error-counter', 'HPC-001/1', 2, ['s20', 's50']],
      ['battery-misalignment', 'BUS-117', 1, ['s30', 's31']],
      ['breaker-open-under-load', 'BUS-300', 1, ['s90']],
      ['converter-efficiency-drift', 'HPC-002/2', 1, ['s40']],
      ['converter-error-counter', 'HPC-002/1', 1, ['s60']],
    ]);
  });

  it('lists incidents open now, most severe first, then the oldest', () => {
    expect(report.openIncidents.map((i) => i.incident)).toEqual([
      'inc-b',
      'inc-h',
      'inc-c',
      'inc-f',
      'inc-i',
    ]);
    expect(report.openIncidents[0]).toMatchObject({
      subjectLabel: 'HPC-001/1',
      title: 'Latest converter-error-counter',
      evidence: {
        sessionIds: ['s20', 's21'],
        archivePaths: ['s3://depot-archive/archive/reports/charger=HPC-001/connector=1/'],
      },
    });
  });

  it('lists incidents resolved in the period, with the failed sessions as evidence', () => {
    expect(
      report.resolvedInPeriod.map((i) => [
        i.incident,
        i.openedAt,
        i.resolvedAt,
        i.evidence.sessionIds,
      ]),
    ).toEqual([
      ['inc-old', undefined, '2026-05-11T12:00:00Z', ['s70']],
      ['inc-a', '2026-05-05T10:00:00Z', '2026-05-12T08:00:00Z', ['s1', 's2']],
    ]);
  });

  it('keeps a watch-list of vehicles with incidents open now or opened in the period', () => {
    expect(
      report.vehicleWatch.map((v) => [v.vehicleId, v.rule, v.open, v.since, v.evidence.sessionIds]),
    ).toEqual([
      ['BUS-117', 'battery-misalignment', true, '2026-05-11T06:00:00Z', ['s30', 's31', 's32']],
      ['BUS-200', 'soc-shortfall', true, '2026-05-01T00:00:00Z', ['s80']],
      ['BUS-300', 'breaker-open-under-load', false, '2026-05-14T00:00:00Z', ['s90']],
    ]);
    expect(report.vehicleWatch[0]?.evidence.athena).toBe(
      `SELECT * FROM depot_watch.session_reports WHERE vehicleid = 'BUS-117'`,
    );
  });

  it('lists drift incidents open now or opened in the period', () => {
    expect(report.drift.map((d) => [d.incident, d.rule, d.status, d.subjectLabel])).toEqual([
      ['inc-i', 'power-derating-drift', 'open', 'HPC-002'],
      ['inc-d', 'converter-efficiency-drift', 'resolved', 'HPC-002/2'],
    ]);
  });
});

describe('a period with no sessions', () => {
  const empty = buildHealthReport({ ...input, kpis: [], notices: [], incidents: [] });

  it('gives zero counts and no rate, rather than a 0 % that would be a lie', () => {
    expect(empty.headline.map((k) => [k.key, k.display, k.changeDisplay])).toEqual([
      ['sessions', '0', '±0'],
      ['energy', '0.0 kWh', '±0.0 kWh'],
      ['success', '—', '—'],
      ['fault-free', '—', '—'],
      ['open-incidents', '0', '±0'],
    ]);
    expect(empty.chargers).toEqual([]);
    expect(empty.faultsByWeek).toEqual([]);
  });
});

describe('the report formats', () => {
  it('names ISO weeks as the calendar does, across a year end', () => {
    expect(isoWeekOf('2026-01-01')).toBe('2026-W01');
    expect(isoWeekOf('2025-12-29')).toBe('2026-W01');
    expect(isoWeekOf('2027-01-03')).toBe('2026-W53');
    expect(isoWeekOf('2026-05-11')).toBe('2026-W20');
  });

  it('writes kWh with thousands separators and signed changes', () => {
    expect(formatKwh(1234567.89)).toBe('1,234,567.9 kWh');
    expect(formatChange(-1.04, 'pp')).toBe('−1.0 pp');
    expect(formatChange(-0.01, 'pp')).toBe('±0.0 pp');
  });
});
