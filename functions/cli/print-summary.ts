import type { ScanSummary } from '../scan/summary.ts';

/** What a dry run would have sent, counted by its alert sink rather than the summary. */
export interface DryRunCounts {
  noticesToSend: number;
}

/**
 * The end-of-run summary a person reads: what was fetched, kept, found and alerted. A dry run's
 * says what the scan would archive, quarantine and send, since it did none of it.
 */
export function formatScanSummary(
  summary: ScanSummary,
  archiveLocation: string,
  dryRun?: DryRunCounts,
): string {
  const t = summary.totals;
  const label = dryRun ? DRY_RUN_LABELS : LABELS;
  const notices = dryRun ? dryRun.noticesToSend : t.alerted;
  const seconds = (Date.parse(summary.finishedAt) - Date.parse(summary.startedAt)) / 1000;
  const ok = summary.connectors.length - summary.failed.length;
  const rules = Object.entries(t.findingsByRule).sort(([a], [b]) => a.localeCompare(b));
  const lines = [
    `Scan ${summary.runId.slice(0, 8)} finished in ${seconds.toFixed(1)} s: ${summary.connectors.length} connectors, ${ok} ok, ${summary.failed.length} failed`,
    `  reports fetched   ${pad(t.fetched)}  (${t.pages} pages)`,
    `  ${label.archived}${pad(t.archived)}  new, ${t.alreadyArchived} already archived`,
    `  ${label.quarantined}${pad(t.quarantined)}`,
    `  findings          ${pad(t.findings)}`,
    ...rules.map(([rule, count]) => `    ${rule.padEnd(28)} ${pad(count)}`),
    `  ${label.sent}${pad(notices)}  ${t.openIncidents} incident(s) open`,
    ...depotLines(summary),
    ...(t.ruleErrors > 0 ? [`  rule errors       ${pad(t.ruleErrors)}  (see the log)`] : []),
    ...failureLines(summary.failed),
    ...(summary.stateError !== undefined ? [`  FAILED state: ${summary.stateError}`] : []),
    ...(summary.fleetError !== undefined
      ? [`  FAILED fleet attribution: ${summary.fleetError}`]
      : []),
    ...(summary.deliveryError !== undefined ? [`  FAILED delivery: ${summary.deliveryError}`] : []),
    `Archive: ${archiveLocation}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Failed connectors grouped by error: one line per problem, naming the connectors it hit. */
function failureLines(failed: ScanSummary['failed']): string[] {
  const byError = new Map<string, string[]>();
  for (const f of failed)
    byError.set(f.error, [
      ...(byError.get(f.error) ?? []),
      `${f.depot === undefined ? '' : `${f.depot} `}${f.chargerId}/${f.connectorId}`,
    ]);
  return [...byError].map(([error, connectors]) => {
    if (connectors.length === 1) return `  FAILED ${connectors[0]}: ${error}`;
    const named = connectors.slice(0, 8).join(', ');
    const more = connectors.length > 8 ? ` and ${connectors.length - 8} more` : '';
    return `  FAILED ${connectors.length} connectors (${named}${more}): ${error}`;
  });
}

/** With several depots, one line each: its connectors, failures and reports. */
function depotLines(summary: ScanSummary): string[] {
  const depots = new Map<string, { connectors: number; failed: number; fetched: number }>();
  for (const c of summary.connectors) {
    if (c.depot === undefined) continue;
    const seen = depots.get(c.depot) ?? { connectors: 0, failed: 0, fetched: 0 };
    seen.connectors++;
    if (c.status !== 'ok') seen.failed++;
    seen.fetched += c.fetched;
    depots.set(c.depot, seen);
  }
  return [...depots].map(
    ([depot, d]) =>
      `  depot ${depot}: ${d.connectors} connectors, ${d.failed} failed, ${d.fetched} reports`,
  );
}

const LABELS = {
  archived: 'archived          ',
  quarantined: 'quarantined       ',
  sent: 'notices sent      ',
};
const DRY_RUN_LABELS = {
  archived: 'would archive     ',
  quarantined: 'would quarantine  ',
  sent: 'notices to send   ',
};

function pad(n: number): string {
  return String(n).padStart(5);
}
