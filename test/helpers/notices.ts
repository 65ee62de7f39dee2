import type {
  IncidentEvent,
  IncidentNotification,
} from '../../functions/core/incidents/incident.ts';
import type { NotifierContext } from '../../functions/notifiers/notifier.ts';

/** A notice as the incident engine makes one, with what a test changes. */
export function notice(overrides: Partial<IncidentNotification> = {}): IncidentNotification {
  const event: IncidentEvent = overrides.event ?? 'open';
  const incident = overrides.incident ?? 'inc-breaker-HPC-007-2';
  return {
    id: `${incident}:${event}:${overrides.at ?? '2026-11-03T03:15:00.000Z'}`,
    event,
    incident,
    rule: 'breaker-open-under-load',
    subject: 'connector',
    chargerId: 'HPC-007',
    connectorId: '2',
    severity: 'critical',
    at: '2026-11-03T03:15:00.000Z',
    sessionIds: ['S-2001', 'S-2002'],
    failedSessions: 2,
    occurrence: 1,
    title: 'DC breaker opened under load',
    message: 'In session S-2002 the DC breaker opened with 182 A flowing at 648 V.',
    evidence: { currentAmps: 182, voltageV: 648 },
    context: [],
    ...overrides,
  };
}

/** Waits of a millisecond: retries run through in a test, their number still counted. */
export const FAST_DELIVERY = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2_000 };

/** What the channels under test are built with: an S3 archive, fast retries, no real waits. */
export function testContext(overrides: Partial<NotifierContext> = {}): NotifierContext {
  return {
    archiveLocation: 's3://depot-archive/archive',
    baseDir: '/',
    secrets: { env: {} },
    delivery: FAST_DELIVERY,
    ...overrides,
  };
}
