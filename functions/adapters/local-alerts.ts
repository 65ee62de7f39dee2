import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { findingAsText } from '../core/alert-text.ts';
import type { Finding } from '../core/finding.ts';
import type { AlertSink, PublishOutcome } from '../scan/ports.ts';

/** Prints alerts as readable text on a stream (stdout by default). */
export class ConsoleAlerts implements AlertSink {
  constructor(
    private readonly write: (text: string) => void = (text) => process.stdout.write(text),
  ) {}

  async publish(findings: readonly Finding[]): Promise<PublishOutcome> {
    for (const finding of findings) this.write(`${findingAsText(finding)}\n\n`);
    return { accepted: findings.map((f) => f.fingerprint), failed: [] };
  }
}

/** Appends alerts to a JSON Lines file, one finding per line, for tools to pick up. */
export class JsonlAlerts implements AlertSink {
  #folder: Promise<unknown> | undefined;

  constructor(readonly path: string) {}

  async publish(findings: readonly Finding[]): Promise<PublishOutcome> {
    this.#folder ??= mkdir(dirname(this.path), { recursive: true });
    await this.#folder;
    await appendFile(this.path, findings.map((f) => `${JSON.stringify(f)}\n`).join(''));
    return { accepted: findings.map((f) => f.fingerprint), failed: [] };
  }
}

/**
 * Sends each alert to several sinks. A finding counts as published only when every sink
 * accepted it; otherwise it is retried on the next run (and may repeat on the sinks that took it).
 */
export class FanOutAlerts implements AlertSink {
  constructor(private readonly sinks: readonly AlertSink[]) {}

  async publish(findings: readonly Finding[]): Promise<PublishOutcome> {
    const outcomes = await Promise.all(
      this.sinks.map((sink) =>
        sink.publish(findings).catch(
          (error: unknown): PublishOutcome => ({
            accepted: [],
            failed: findings.map((f) => ({ fingerprint: f.fingerprint, error: String(error) })),
          }),
        ),
      ),
    );
    const failed = new Map<string, string>();
    for (const outcome of outcomes) {
      for (const { fingerprint, error } of outcome.failed) failed.set(fingerprint, error);
      const accepted = new Set(outcome.accepted);
      for (const f of findings)
        if (!accepted.has(f.fingerprint) && !failed.has(f.fingerprint))
          failed.set(f.fingerprint, 'not accepted');
    }
    return {
      accepted: findings.map((f) => f.fingerprint).filter((fp) => !failed.has(fp)),
      failed: [...failed].map(([fingerprint, error]) => ({ fingerprint, error })),
    };
  }
}
