/**
 * Writes the config reference from the one config schema: docs/depot-watch.schema.json (a JSON
 * Schema that a config names with "$schema", so editors complete and check it) and the table
 * part of docs/configuration.md. `npm run docs:config`; test/docs/config-reference.test.ts
 * fails when either file differs from what this would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { configSchema } from '../functions/config/config.ts';
import { RULES } from '../functions/core/rules/registry.ts';

export const SCHEMA_FILE = 'docs/depot-watch.schema.json';
export const REFERENCE_FILE = 'docs/configuration.md';
const EXAMPLE_FILE = 'examples/depot.json';
const START = '<!-- config-reference:start: written by npm run docs:config from the schema -->';
const END = '<!-- config-reference:end -->';

/** The part of a JSON Schema this script reads. */
interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/** One key of the reference. */
interface Row {
  path: string;
  type: string;
  required: boolean;
  default: unknown;
  example: unknown;
  description: string;
}

/** The config's JSON Schema, as a config file is written (defaults optional). */
export function configJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  });
  const titled = {
    $schema: schema.$schema,
    title: 'depot-watch config',
    description:
      'The config of depot-watch (docs/configuration.md). Generated from the config schema by npm run docs:config.',
    ...withoutKey(schema, '$schema'),
  };
  return `${JSON.stringify(titled, null, 2)}\n`;
}

/** docs/configuration.md with its generated part written from the schema. */
export function configReferenceDoc(current: string): string {
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${REFERENCE_FILE} lacks ${START} … ${END}`);
  return `${current.slice(0, start)}${START}\n\n${referenceMarkdown()}\n${current.slice(end)}`;
}

/** One table per top-level key: every key below it, its type, default, example and meaning. */
function referenceMarkdown(): string {
  const schema = JSON.parse(configJsonSchema()) as JsonSchema;
  const example = JSON.parse(readFileSync(EXAMPLE_FILE, 'utf8')) as unknown;
  const documented = new Map<string, string>();
  const sections: string[] = [];
  // Overrides and depots last: their thresholds and incidents then point to the site-wide ones.
  const last = ['overrides', 'depots'];
  const keys = Object.keys(schema.properties ?? {}).filter((k) => k !== '$schema');
  const ordered = [
    ...keys.filter((k) => !last.includes(k)),
    ...last.filter((k) => keys.includes(k)),
  ];
  for (const key of ordered) {
    const child = schema.properties?.[key] ?? {};
    const rows: Row[] = [];
    walk(child, key, (schema.required ?? []).includes(key), rows, documented, example);
    sections.push(
      [
        `### \`${key}\``,
        '',
        child.description ?? '',
        '',
        '| key | type | default | example | meaning |',
        '| --- | --- | --- | --- | --- |',
        ...rows.map(tableRow),
        '',
      ].join('\n'),
    );
  }
  return sections.join('\n');
}

/** Adds a row for the key at `path`, then for every key below it not documented before. */
function walk(
  schema: JsonSchema,
  path: string,
  required: boolean,
  rows: Row[],
  documented: Map<string, string>,
  example: unknown,
): void {
  const record =
    typeof schema.additionalProperties === 'object' && schema.additionalProperties.properties
      ? schema.additionalProperties
      : undefined;
  const objectSchema = record ?? (schema.type === 'array' ? schema.items : schema);
  const properties = objectSchema?.properties;
  const shape = properties ? JSON.stringify(stripped(objectSchema)) : undefined;
  const same = shape !== undefined ? documented.get(shape) : undefined;
  let description = schema.description ?? '';
  if (same !== undefined) description = `${description} The same keys as \`${same}\`.`.trim();
  rows.push({
    path,
    type: typeOf(schema),
    required,
    default: schema.default ?? ruleDefault(path),
    example: properties && !record ? undefined : exampleAt(example, path),
    description,
  });
  // A list of alternatives (the alert channels): each object kind with a `type` gets its rows.
  for (const kind of kindsOf(objectSchema)) {
    walk(kind.schema, `${path}[${kind.type}]`, false, rows, documented, example);
  }
  if (!properties || !objectSchema || same !== undefined || shape === undefined) return;
  documented.set(shape, path);
  const inner = record ? `${path}.<rule id>` : schema.type === 'array' ? `${path}[]` : path;
  for (const [key, child] of Object.entries(properties)) {
    const required = (objectSchema.required ?? []).includes(key);
    walk(child, `${inner}.${key}`, required, rows, documented, example);
  }
}

/** The object alternatives of a schema that name themselves by a constant `type`. */
function kindsOf(schema: JsonSchema | undefined): { type: string; schema: JsonSchema }[] {
  return (schema?.anyOf ?? schema?.oneOf ?? []).flatMap((alternative) =>
    (alternative.anyOf ?? alternative.oneOf ?? [alternative]).flatMap((kind) => {
      const type = kind.properties?.type?.const;
      return typeof type === 'string' ? [{ type, schema: kind }] : [];
    }),
  );
}

/** A threshold's default lives with its rule, since thresholds are written as partial. */
function ruleDefault(path: string): unknown {
  const match = /^thresholds\.([^.]+)\.([^.]+)$/.exec(path);
  const rule = match ? RULES.find((r) => r.id === match[1]) : undefined;
  return rule && match?.[2] ? (rule.defaults as Record<string, unknown>)[match[2]] : undefined;
}

/** The value at a path such as `fleet[].chargerId` in the example config, if it has one. */
function exampleAt(example: unknown, path: string): unknown {
  let at: unknown = example;
  for (const part of path.split('.')) {
    const name = part.replace(/\[\]$/, '');
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, name)) return undefined;
    at = (at as Record<string, unknown>)[name];
    if (part.endsWith('[]')) at = Array.isArray(at) ? at[0] : undefined;
  }
  return at;
}

/** The type as a reader wants it: `integer, 10 to 2000`, `array of string`, `"a" or "b"`. */
function typeOf(schema: JsonSchema): string {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const kinds = kindsOf(schema).map((k) => `\`${k.type}\``);
    const others = alternatives.filter((a) => kindsOf({ anyOf: [a] }).length === 0);
    return [
      ...new Set(others.map(typeOf)),
      ...(kinds.length ? [`object of type ${kinds.join(', ')}`] : []),
    ].join(' or ');
  }
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' or ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const limits = limitsOf(schema);
  let type = schema.type ?? 'any';
  if (type === 'string' && schema.format === 'uri') type = 'URL';
  if (type === 'array') type = `array of ${schema.items ? typeOf(schema.items) : 'any'}`;
  if (type === 'object' && !schema.properties && typeof schema.additionalProperties === 'object')
    type = `object of ${typeOf(schema.additionalProperties)}`;
  return limits ? `${type}, ${limits}` : type;
}

function limitsOf(schema: JsonSchema): string {
  const safe = (n: number | undefined) =>
    n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined;
  const min = safe(schema.minimum);
  const max = safe(schema.maximum);
  const parts: string[] = [];
  if (min !== undefined && max !== undefined) parts.push(`${min} to ${max}`);
  else if (min !== undefined) parts.push(`at least ${min}`);
  else if (max !== undefined) parts.push(`at most ${max}`);
  if (safe(schema.exclusiveMinimum) !== undefined) parts.push(`above ${schema.exclusiveMinimum}`);
  if (schema.minLength !== undefined && schema.minLength > 1)
    parts.push(`${schema.minLength}+ characters`);
  if (schema.maxLength !== undefined) parts.push(`at most ${schema.maxLength} characters`);
  if (schema.minItems !== undefined) parts.push(`at least ${schema.minItems} item(s)`);
  if (schema.pattern !== undefined) parts.push(`matching \`${schema.pattern}\``);
  return parts.join(', ');
}

function tableRow(row: Row): string {
  const code = (value: unknown) => (value === undefined ? '' : `\`${cut(JSON.stringify(value))}\``);
  const cells = [
    `\`${row.path}\`${row.required ? ' (required)' : ''}`,
    row.type,
    code(row.default),
    code(row.example),
    row.description,
  ];
  return `| ${cells.map((c) => c.replaceAll('|', '\\|').replaceAll('\n', ' ')).join(' | ')} |`;
}

/** Long defaults (a whole section's) are cut: the rows below give each of their keys. */
function cut(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** A schema without what differs between two places that take the same keys. */
function stripped(schema: JsonSchema | undefined): unknown {
  return JSON.parse(
    JSON.stringify(schema ?? {}, (key, value) =>
      key === 'default' || key === 'description' ? undefined : value,
    ),
  );
}

function withoutKey<T extends object>(object: T, key: string): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([k]) => k !== key)) as Partial<T>;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(SCHEMA_FILE, configJsonSchema());
  writeFileSync(REFERENCE_FILE, configReferenceDoc(readFileSync(REFERENCE_FILE, 'utf8')));
  process.stdout.write(`wrote ${SCHEMA_FILE} and the reference in ${REFERENCE_FILE}\n`);
}
