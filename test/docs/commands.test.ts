import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES, commandHelp } from '../../functions/cli/help.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { APP_CONTEXT_KEYS, deploymentSchema } from '../../infra/deployment-settings.ts';
import { cli } from '../helpers/cli.ts';
import { docFiles, fences, read } from '../helpers/markdown.ts';
import { startSimulator } from '../helpers/simulator.ts';

/**
 * Every command the docs show, so that they cannot drift from the code: the `depot-watch`
 * commands run against the demo's folder and a simulated API (those that need AWS or name a
 * placeholder run as `--help`), and every flag must be one the command's help names; `npm`
 * scripts must exist; `cdk` context keys must be ones the app reads. Commands are the lines of
 * ```sh blocks and the `$ ` lines of any block, in README.md and docs/*.md.
 */

/** One command as a doc shows it. */
interface DocCommand {
  file: string;
  line: string;
  words: string[];
}

const SCRIPTS = Object.keys(
  (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts,
);
const CONTEXT_KEYS = new Set<string>([...Object.keys(deploymentSchema.shape), ...APP_CONTEXT_KEYS]);
/** What the docs may run besides depot-watch, npm and cdk: checked for nothing more. */
const OTHER_TOOLS = new Set(['aws', 'git', 'export', 'for', 'do', 'done']);

const commands = docFiles().flatMap((file) => commandsIn(file));
const depotWatch = commands.filter((c) => c.words[0] === 'depot-watch');

let work: string;
let sim: DepotSimulator;
let env: Record<string, string>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'depot-watch-doc-commands-'));
  sim = await startSimulator({ fleet: { chargers: 4 } });
  env = { DEPOT_WATCH_CLIENT_ID: 'demo-client', DEPOT_WATCH_CLIENT_SECRET: 'demo-secret' };
  // The demo's folder is what the docs' commands read: .depot-watch/archive and /state.
  const demo = await cli(['demo', '--quiet'], { cwd: work });
  expect(demo.code, demo.stderr).toBe(0);
  const fleet = ['HPC-001', 'HPC-002', 'HPC-003', 'HPC-004'].map((chargerId) => ({
    chargerId,
    connectors: ['1', '2'],
  }));
  writeFileSync(
    join(work, 'depot.json'),
    JSON.stringify({
      fleet,
      api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
      archive: '.depot-watch/archive',
      state: '.depot-watch/state',
      alerts: ['alerts.jsonl'],
    }),
  );
  mkdirSync(join(work, 'examples'));
  copyFileSync('examples/depot.json', join(work, 'examples', 'depot.json'));
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('the commands in the docs', () => {
  it('are found, so that the checks below check something', () => {
    expect(depotWatch.length).toBeGreaterThan(10);
    expect(commands.some((c) => c.words[1] === 'cdk')).toBe(true);
  });

  it('use only depot-watch commands and flags that exist', () => {
    const wrong = depotWatch.flatMap(({ file, line, words }) => {
      const name = words[1] ?? '';
      if (name === 'help' || name === '--version') return [];
      const help = commandHelp(name);
      if (!COMMAND_NAMES.includes(name) || help === undefined)
        return [`${file}: ${line} (no command ${name})`];
      return words
        .filter((w) => w.startsWith('--'))
        .filter((flag) => flag !== '--help' && !help.includes(flag))
        .map((flag) => `${file}: ${line} (no flag ${flag})`);
    });
    expect(wrong).toEqual([]);
  });

  it('run: each depot-watch command exits 0 (--help where it needs AWS)', async () => {
    let silenceId: string | undefined;
    const failed: string[] = [];
    for (const { file, line, words } of depotWatch) {
      let args = words.slice(1);
      if (needsAws(args)) args = [args[0] ?? 'help', '--help'];
      if (silenceId) args = args.map((a) => a.replace(/^sil-[0-9a-f]+$/, silenceId ?? a));
      const run = await cli(args, { cwd: work, env });
      silenceId = /\b(sil-[0-9a-f]+)\b/.exec(run.stdout)?.[1] ?? silenceId;
      if (run.code !== 0) failed.push(`${file}: ${line} → exit ${run.code}: ${run.stderr.trim()}`);
    }
    expect(failed).toEqual([]);
  }, 60_000);

  it('run only npm scripts that exist', () => {
    const npm = commands.filter((c) => c.words[0] === 'npm');
    const builtIn = new Set(['ci', 'start', 'test', 'link', 'install']);
    const wrong = npm.filter(({ words }) =>
      words[1] === 'run' ? !SCRIPTS.includes(words[2] ?? '') : !builtIn.has(words[1] ?? ''),
    );
    expect(wrong.map((c) => `${c.file}: ${c.line}`)).toEqual([]);
  });

  it('pass cdk only context keys the app reads, with values that parse', () => {
    const cdk = commands.filter((c) => c.words[0] === 'npx' && c.words[1] === 'cdk');
    const wrong = cdk.flatMap(({ file, line, words }) => {
      const problems: string[] = [];
      if (!['bootstrap', 'deploy', 'synth', 'destroy'].includes(words[2] ?? ''))
        problems.push(`cdk ${words[2]}`);
      words.forEach((word, i) => {
        if (words[i - 1] !== '-c') return;
        const [key = '', value = ''] = [
          word.slice(0, word.indexOf('=')),
          word.split('=').slice(1).join('='),
        ];
        if (!CONTEXT_KEYS.has(key)) problems.push(`unknown context key ${key}`);
        if (/^[[{]/.test(value) && !parses(value)) problems.push(`${key} is not JSON`);
      });
      return problems.map((p) => `${file}: ${line} (${p})`);
    });
    expect(wrong).toEqual([]);
  });

  it('use no other tool than depot-watch, npm, cdk, aws and git', () => {
    const other = commands.filter(
      ({ words }) =>
        !['depot-watch', 'npm'].includes(words[0] ?? '') &&
        !(words[0] === 'npx' && words[1] === 'cdk') &&
        !OTHER_TOOLS.has(words[0] ?? ''),
    );
    expect(other.map((c) => `${c.file}: ${c.line}`)).toEqual([]);
  });

  it('in docs/cli.md name every flag of every command', () => {
    const cliDoc = read('docs/cli.md');
    const missing = COMMAND_NAMES.flatMap((name) =>
      [...new Set(commandHelp(name)?.match(/--[a-z][a-z-]*/g) ?? [])]
        .filter((flag) => !cliDoc.includes(flag))
        .map((flag) => `${name} ${flag}`),
    );
    expect(missing).toEqual([]);
  });
});

/** A command that reaches AWS or names something only a deployment has. */
function needsAws(args: readonly string[]): boolean {
  return args.some((a) => /[<>…]|^s3:\/\/|^arn:/.test(a) || a === '--credentials-secret');
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The commands of a doc: `sh` blocks' lines (continuations joined), and `$ ` lines anywhere. */
function commandsIn(file: string): DocCommand[] {
  const found: DocCommand[] = [];
  for (const fence of fences(read(file))) {
    const lines =
      fence.info === 'sh'
        ? joinContinued(fence.lines)
        : fence.lines.filter((l) => l.startsWith('$ ')).map((l) => l.slice(2));
    for (const text of lines) {
      for (const part of text.replace(/^\$ /, '').split(/\s*&&\s*|\s*;\s*/)) {
        const words = shellWords(part);
        if (words[0] === 'npx' && words[1] === 'depot-watch') words.shift();
        if (words.length > 0) found.push({ file, line: part.trim(), words });
      }
    }
  }
  return found;
}

function joinContinued(lines: readonly string[]): string[] {
  const joined: string[] = [];
  let current = '';
  for (const line of lines) {
    current += line.trim();
    if (current.endsWith('\\')) current = `${current.slice(0, -1)} `;
    else {
      if (current.trim()) joined.push(current.trim());
      current = '';
    }
  }
  return joined;
}

/** A command line's words as a POSIX shell splits them; a `#` outside quotes starts a comment. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const char of line) {
    if (quote) {
      if (char === quote) quote = undefined;
      else word = (word ?? '') + char;
    } else if (char === '"' || char === "'") {
      quote = char;
      word = word ?? '';
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === '#' && word === undefined) break;
    else word = (word ?? '') + char;
  }
  if (word !== undefined) words.push(word);
  return words;
}
