import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../functions/core/rules/registry.ts';

/**
 * docs/rules.md's rules table is what operators tune from, so it must name every rule the scan runs
 * and state the defaults the code uses. This reads the table as written and checks it against
 * the registry; neither side is a copy of the other.
 */
const RULES_DOC = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');

/** One row of the table: the rule id and the text of its `defaults` cell. */
interface Row {
  id: string;
  defaults: string;
}

/** One default the table states: a field of the rule's thresholds and its value. */
interface Stated {
  field: string;
  value: unknown;
}

const SEVERITIES = new Set(['info', 'warning', 'critical']);

/**
 * The default fields the table does not state, with why. Listed by name so that a new field
 * left out of docs/rules.md fails here, and so that filling a gap asks for its entry to go.
 */
const UNSTATED: ReadonlyMap<string, string> = new Map([
  // Stated once for all rules in the prose above the table, not per row.
  ['*.enabled', 'every rule is on unless the config says `enabled: false`'],
]);

describe('the rules table in docs/rules.md', () => {
  const rows = rulesTable(RULES_DOC);

  it('lists exactly the rules of the registry', () => {
    expect(rows.map((r) => r.id).sort()).toEqual(RULES.map((r) => r.id).sort());
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it("states each rule's defaults as the code has them", () => {
    const wrong = rows.flatMap(({ id, defaults }) => {
      const rule = RULES.find((r) => r.id === id);
      if (!rule) return [];
      return statedDefaults(defaults)
        .filter(({ field, value }) => !sameDefault(rule.defaults, field, value))
        .map(({ field, value }) => ({
          rule: id,
          field,
          documented: value,
          code: Object.hasOwn(rule.defaults, field) ? rule.defaults[field] : '(no such field)',
        }));
    });
    expect(wrong).toEqual([]);
  });

  it('states every default field, apart from the known gaps', () => {
    const unstated = rows.flatMap(({ id, defaults }) => {
      const rule = RULES.find((r) => r.id === id);
      const stated = new Set(statedDefaults(defaults).map((s) => s.field));
      return Object.keys(rule?.defaults ?? {})
        .filter((field) => !stated.has(field))
        .map((field) => `${id}.${field}`)
        .filter((name) => !UNSTATED.has(name) && !UNSTATED.has(`*.${name.split('.')[1]}`));
    });
    expect(unstated).toEqual([]);
  });

  it('finds a row for each rule whose defaults it can read', () => {
    // Guards the parser: a reworded table must not turn every comparison into a silent no-op.
    const readable = rows.filter((r) => statedDefaults(r.defaults).length > 0);
    expect(readable.map((r) => r.id)).toEqual(rows.map((r) => r.id));
  });
});

/** The rows of the table whose header starts `| rule id |`, with their `defaults` cells. */
function rulesTable(markdown: string): Row[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^\|\s*rule id\s*\|/.test(line));
  if (start < 0) throw new Error('docs/rules.md has no table headed "| rule id |"');
  const header = cells(lines[start] ?? '');
  const idColumn = header.indexOf('rule id');
  const defaultsColumn = header.indexOf('defaults');
  if (defaultsColumn < 0) throw new Error('the rules table has no "defaults" column');
  const rows: Row[] = [];
  // The line after the header is the `| --- |` separator.
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const row = cells(line);
    const id = /^`([^`]+)`$/.exec(row[idColumn] ?? '')?.[1];
    if (!id) throw new Error(`rules table row without a rule id in backticks: ${line}`);
    rows.push({ id, defaults: row[defaultsColumn] ?? '' });
  }
  return rows;
}

/** The cells of a Markdown table row; `\|` inside a cell is text, not a border. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replaceAll('\\|', '|'));
}

/**
 * The defaults a cell states, read from its code spans: `name: value` gives a field, and a bare
 * severity gives `severity`, or, right after `x: n →`, the matching `xSeverity` (as in
 * `errorCount: 1` → `critical`). Text outside code spans is explanation and is not read.
 */
function statedDefaults(cell: string): Stated[] {
  const stated: Stated[] = [];
  let lastField: string | undefined;
  let textBefore = '';
  let end = 0;
  for (const match of cell.matchAll(/`([^`]*)`/g)) {
    textBefore = cell.slice(end, match.index);
    end = match.index + match[0].length;
    const span = match[1] ?? '';
    const named = /^([A-Za-z]\w*):\s*(.+)$/.exec(span);
    if (named?.[1] && named[2]) {
      lastField = named[1];
      stated.push({ field: named[1], value: parseValue(named[2]) });
    } else if (SEVERITIES.has(span)) {
      const arrowed = lastField !== undefined && textBefore.includes('→');
      stated.push({ field: arrowed ? severityFieldOf(lastField ?? '') : 'severity', value: span });
    }
  }
  return stated;
}

/** `errorCount` → `errorSeverity`: the severity that goes with a level's threshold. */
function severityFieldOf(field: string): string {
  return `${field.replace(/[A-Z][a-z]*$/, '')}Severity`;
}

/** A value as the table writes it: JSON, a number with `_` or `,` separators, or a bare word. */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const number = text.replace(/[_,]/g, '');
    return /^-?\d+(\.\d+)?$/.test(number) ? Number(number) : text;
  }
}

function sameDefault(defaults: Record<string, unknown>, field: string, value: unknown): boolean {
  if (!Object.hasOwn(defaults, field)) return false;
  return isDeepStrictEqual(defaults[field], value);
}
