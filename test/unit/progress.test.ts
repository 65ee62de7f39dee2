import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loudnessOf, ProgressReporter, scanVoice } from '../../functions/cli/progress.ts';
import { ConfigError } from '../../functions/config/config.ts';
import type { ConnectorResult } from '../../functions/scan/summary.ts';
import { emptyCounts } from '../../functions/scan/summary.ts';

/** A stderr stand-in that records every write. */
function fakeStream(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return {
    writes,
    isTTY,
    ...(columns !== undefined ? { columns } : {}),
    write: (text: string) => writes.push(text),
  };
}

function done(connectorId: string, status: ConnectorResult['status'] = 'ok', alerted = 0) {
  return {
    chargerId: 'HPC-004',
    connectorId,
    ...emptyCounts(),
    alerted,
    status,
    window: { from: '', to: '' },
    findingsByRule: {},
  } satisfies ConnectorResult;
}

const CLEAR = '\r\u001b[2K';

describe('progress on a terminal', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('redraws one line in place at most five times a second, and clears it at the end', () => {
    const stream = fakeStream(true);
    const progress = new ProgressReporter({ label: 'scan', stream });
    progress.started(400);
    // A burst of events between two ticks draws nothing by itself.
    for (let i = 0; i < 1_000; i++) progress.reportsRead(3);
    expect(stream.writes).toEqual([]);
    vi.advanceTimersByTime(200);
    expect(stream.writes).toEqual([`${CLEAR}scan: 0/400 connectors, 3,000 reports, 0.2 s`]);
    for (let i = 0; i < 10; i++) {
      progress.connectorDone(done(String(i), 'ok', 1));
      vi.advanceTimersByTime(100);
    }
    // One second of events, ten of them: five redraws, each a `\r` and an erase.
    expect(stream.writes).toHaveLength(6);
    expect(stream.writes.every((w) => w.startsWith(CLEAR) && !w.includes('\n'))).toBe(true);
    expect(stream.writes.at(-1)).toBe(
      `${CLEAR}scan: 10/400 connectors, 3,000 reports, 10 notices, 1 s`,
    );
    progress.finish();
    expect(stream.writes.at(-1)).toBe(CLEAR);
    vi.advanceTimersByTime(5_000);
    expect(stream.writes).toHaveLength(7);
  });

  it('shows a retry wait counting down until it is over', () => {
    const stream = fakeStream(true);
    const progress = new ProgressReporter({ label: 'scan', stream });
    progress.started(2);
    progress.retrying({
      where: 'HPC-004/1',
      attempt: 3,
      of: 5,
      waitMs: 8_000,
      reason: 'HTTP 503 server error',
    });
    vi.advanceTimersByTime(200);
    expect(stream.writes.at(-1)).toBe(
      `${CLEAR}scan: 0/2 connectors, 0 reports, 0.2 s; waiting 8 s before retry 3/4 of HPC-004/1: HTTP 503 server error`,
    );
    vi.advanceTimersByTime(8_000);
    expect(stream.writes.at(-1)).toBe(`${CLEAR}scan: 0/2 connectors, 0 reports, 8 s`);
    progress.finish();
  });

  it('keeps the line within the terminal, so it never wraps', () => {
    const stream = fakeStream(true, 20);
    const progress = new ProgressReporter({ label: 'scan', stream });
    progress.started(12);
    vi.advanceTimersByTime(200);
    expect(stream.writes.at(-1)).toBe(`${CLEAR}scan: 0/12 connecto`);
    progress.finish();
  });

  it('clears the line before other text is written, and draws it again after', () => {
    const stream = fakeStream(true);
    const progress = new ProgressReporter({ label: 'demo', stream });
    const stdout: string[] = [];
    const out = progress.above((text) => stdout.push(text));
    vi.advanceTimersByTime(200);
    out('an alert\n');
    expect(stream.writes.at(-1)).toBe(CLEAR);
    expect(stdout).toEqual(['an alert\n']);
    vi.advanceTimersByTime(200);
    expect(stream.writes.at(-1)).toBe(`${CLEAR}demo: starting, 0.4 s`);
    progress.finish();
  });
});

describe('progress elsewhere (CI logs, files)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a short line every 10 s and a final one', () => {
    const stream = fakeStream(false);
    const progress = new ProgressReporter({ label: 'scan', stream });
    progress.started(400);
    for (let i = 0; i < 120; i++) progress.connectorDone(done(String(i)));
    progress.reportsRead(3_412);
    vi.advanceTimersByTime(9_999);
    expect(stream.writes).toEqual([]);
    vi.advanceTimersByTime(31_001);
    expect(stream.writes).toEqual([
      'scan: 120/400 connectors, 3,412 reports, 10 s\n',
      'scan: 120/400 connectors, 3,412 reports, 20 s\n',
      'scan: 120/400 connectors, 3,412 reports, 30 s\n',
      'scan: 120/400 connectors, 3,412 reports, 40 s\n',
    ]);
    progress.connectorDone(done('x', 'failed'));
    progress.finish();
    progress.finish();
    expect(stream.writes.at(-1)).toBe(
      'scan finished: 121/400 connectors (1 failed), 3,412 reports in 41 s\n',
    );
    expect(stream.writes).toHaveLength(5);
  });
});

describe('--quiet and --verbose', () => {
  it('refuses both at once', () => {
    expect(() => loudnessOf({ quiet: true, verbose: true })).toThrow(ConfigError);
    expect(loudnessOf({ quiet: true })).toBe('quiet');
    expect(loudnessOf({ verbose: true })).toBe('verbose');
    expect(loudnessOf({})).toBe('normal');
  });

  it('logs each retry and its reason when verbose, and shows no progress when quiet', () => {
    const stream = fakeStream(false);
    const verbose = scanVoice('scan', 'verbose', 'warn', stream, {});
    verbose.progress?.retrying({
      where: 'HPC-004/1',
      attempt: 1,
      of: 5,
      waitMs: 250,
      reason: 'HTTP 503 server error',
    });
    verbose.finish();
    expect(stream.writes[0]).toBe(
      'info: request failed, retrying where=HPC-004/1 retry=1/4 waitMs=250 reason=HTTP 503 server error\n',
    );

    const quietStream = fakeStream(false);
    const quiet = scanVoice('scan', 'quiet', 'warn', quietStream, {});
    expect(quiet.progress).toBeUndefined();
    quiet.log.warn('report quarantined');
    quiet.log.error('connector scan failed');
    quiet.finish();
    expect(quietStream.writes).toEqual(['error: connector scan failed\n']);
  });
});

describe('progress before the scan starts', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says it is starting, and adds no final line to a command that failed before its scan', () => {
    const stream = fakeStream(false);
    const progress = new ProgressReporter({ label: 'scan', stream, everyMs: 1_000 });
    vi.advanceTimersByTime(1_000);
    progress.finish();
    expect(stream.writes).toEqual(['scan: starting, 1 s\n']);
  });
});
