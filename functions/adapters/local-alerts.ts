import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { IncidentNotification } from '../core/incidents/incident.ts';
import { noticeAsText } from '../core/incidents/notice-text.ts';
import type { AlertSink, PublishOutcome } from '../scan/ports.ts';

/** Prints notices as readable text on a stream (stdout by default). */
export class ConsoleAlerts implements AlertSink {
  constructor(
    private readonly write: (text: string) => void = (text) => process.stdout.write(text),
  ) {}

  async publish(notices: readonly IncidentNotification[]): Promise<PublishOutcome> {
    for (const notice of notices) this.write(`${noticeAsText(notice)}\n\n`);
    return { accepted: notices.map((n) => n.id), failed: [] };
  }
}

/** Characters of notices gathered before each append. */
const APPEND_CHARS = 64 * 1024;

/** Appends notices to a JSON Lines file, one per line, for tools to pick up. */
export class JsonlAlerts implements AlertSink {
  #folder: Promise<unknown> | undefined;

  constructor(readonly path: string) {}

  async publish(notices: readonly IncidentNotification[]): Promise<PublishOutcome> {
    this.#folder ??= mkdir(dirname(this.path), { recursive: true });
    await this.#folder;
    // In pieces: the first run of a large depot can send thousands at once.
    let piece = '';
    for (const notice of notices) {
      piece += `${JSON.stringify(notice)}\n`;
      if (piece.length < APPEND_CHARS) continue;
      await appendFile(this.path, piece);
      piece = '';
    }
    if (piece) await appendFile(this.path, piece);
    return { accepted: notices.map((n) => n.id), failed: [] };
  }
}

/**
 * Sends each notice to several sinks. A notice counts as published only when every sink
 * accepted it; otherwise it is retried on the next run (and may repeat on the sinks that took it).
 */
export class FanOutAlerts implements AlertSink {
  constructor(private readonly sinks: readonly AlertSink[]) {}

  async publish(notices: readonly IncidentNotification[]): Promise<PublishOutcome> {
    const outcomes = await Promise.all(
      this.sinks.map((sink) =>
        sink.publish(notices).catch(
          (error: unknown): PublishOutcome => ({
            accepted: [],
            failed: notices.map((n) => ({ id: n.id, error: String(error) })),
          }),
        ),
      ),
    );
    const failed = new Map<string, string>();
    for (const outcome of outcomes) {
      for (const { id, error } of outcome.failed) failed.set(id, error);
      const accepted = new Set(outcome.accepted);
      for (const n of notices)
        if (!accepted.has(n.id) && !failed.has(n.id)) failed.set(n.id, 'not accepted');
    }
    return {
      accepted: notices.map((n) => n.id).filter((id) => !failed.has(id)),
      failed: [...failed].map(([id, error]) => ({ id, error })),
    };
  }
}
