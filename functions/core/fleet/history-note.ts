import { ATTRIBUTABLE_RULES } from '../incidents/attributable.ts';
import type { JudgedSession } from '../incidents/incident.ts';
import type { ReportOrigin } from '../session-report.ts';
import type { SessionMark } from './attribution-state.ts';
import { CONNECTOR_SEPARATOR, connectorLabel } from './tabulation.ts';

/** Earlier failures named in one note before the rest are counted. */
const NAMED = 4;

/**
 * Sessions with what the fleet's record already knows written into their attributable findings
 * ("BUS-117 failed this check on HPC-002/1 on 2026-12-06 too"), so the first notice of a fault
 * told at once already says what a verdict would later rest on. Pure; other findings untouched.
 */
export function withFleetHistory(
  sessions: readonly JudgedSession[],
  origin: ReportOrigin,
  failures: readonly SessionMark[],
): readonly JudgedSession[] {
  if (failures.length === 0) return sessions;
  const here = `${origin.chargerId}${CONNECTOR_SEPARATOR}${origin.connectorId}`;
  return sessions.map((session) => {
    if (!session.findings.some((f) => ATTRIBUTABLE_RULES.has(f.rule))) return session;
    return {
      ...session,
      findings: session.findings.map((finding) => {
        if (!ATTRIBUTABLE_RULES.has(finding.rule)) return finding;
        const note = noteOf(finding.rule, session, here, failures);
        return note ? { ...finding, message: `${finding.message} ${note}` } : finding;
      }),
    };
  });
}

function noteOf(
  rule: string,
  session: JudgedSession,
  here: string,
  failures: readonly SessionMark[],
): string {
  const earlier = failures.filter(
    (m) => m.f.includes(rule) && m.t < session.at && m.k !== session.key,
  );
  const notes: string[] = [];
  const vehicle = session.vehicleId;
  if (vehicle !== undefined) {
    const places = earlier
      .filter((m) => m.v === vehicle)
      .map((m) => `${connectorLabel(m.c)} on ${m.t.slice(0, 10)}`);
    if (places.length > 0) notes.push(`${vehicle} failed this check on ${listed(places)} too.`);
  }
  const others = earlier
    .filter((m) => m.c === here && m.v !== undefined && m.v !== vehicle)
    .map((m) => `${m.v} on ${m.t.slice(0, 10)}`);
  if (others.length > 0) notes.push(`This connector failed it with ${listed(others)} too.`);
  return notes.join(' ');
}

/** The latest few, newest first, and how many more. */
function listed(items: readonly string[]): string {
  const newest = [...new Set(items)].reverse();
  const named = newest.slice(0, NAMED).join(', ');
  return newest.length > NAMED ? `${named} and ${newest.length - NAMED} more time(s)` : named;
}
