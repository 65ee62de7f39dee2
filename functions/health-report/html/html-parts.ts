import type { Evidence } from '../model/health-report.ts';
import { capList } from '../model/report-format.ts';
import { escapeHtml } from './html-escape.ts';

/** How many session ids a list shows before "and N more". */
export const SESSIONS_SHOWN = 8;

/** Session ids, capped: `101, 102 and 5 more`; `none` when empty. */
export function sessionList(sessionIds: readonly string[] | undefined): string {
  const { shown, more } = capList(sessionIds ?? [], SESSIONS_SHOWN);
  if (shown.length === 0) return '<span class="muted">none</span>';
  const ids = shown.map((id) => `<code>${escapeHtml(id)}</code>`).join(', ');
  return more > 0 ? `${ids} and ${more} more` : ids;
}

/** Where a number can be checked: archive folders, the Athena query, the sessions. */
export function evidenceBlock(evidence: Evidence, withSessions = false): string {
  const parts: string[] = [];
  if (withSessions) parts.push(`<li>Sessions: ${sessionList(evidence.sessionIds)}</li>`);
  for (const path of evidence.archivePaths ?? []) {
    parts.push(`<li>Reports: <code>${escapeHtml(path)}</code></li>`);
  }
  if (evidence.athena !== undefined) {
    parts.push(`<li>Athena: <code class="query">${escapeHtml(evidence.athena)}</code></li>`);
  }
  return parts.length ? `<ul class="evidence">${parts.join('')}</ul>` : '';
}

/** A table with escaped header cells; the cells must already be HTML. */
export function table(caption: string, headers: readonly string[], rows: readonly string[][]) {
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`);
  return (
    `<div class="table"><table><caption>${escapeHtml(caption)}</caption>` +
    `<thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table></div>`
  );
}

/** A section with a heading, or the sentence that says why it is empty. */
export function section(id: string, heading: string, body: string): string {
  return `<section id="${escapeHtml(id)}"><h2>${escapeHtml(heading)}</h2>${body}</section>`;
}

/** A chart's container, counted by browser tests through `data-chart`. */
export function chartFigure(name: string, svg: string, textAlternative: string): string {
  return (
    `<figure class="chart" data-chart="${escapeHtml(name)}">${svg}` +
    `<figcaption>${textAlternative}</figcaption></figure>`
  );
}

/** A sentence in a paragraph, escaped. */
export function note(text: string): string {
  return `<p class="muted">${escapeHtml(text)}</p>`;
}

/** An ISO time as people read it in a table, `2026-05-06 14:03 UTC`; `—` when unknown. */
export function when(iso: string | undefined): string {
  if (iso === undefined) return '—';
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return escapeHtml(iso);
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
