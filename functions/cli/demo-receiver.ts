import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { plainText } from '../core/vendor-text.ts';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySignature,
} from '../notifiers/webhook/signature.ts';

/** The key the demo signs its webhook with: a demo's, printed nowhere, good for nothing else. */
export const DEMO_SIGNING_KEY = 'demo-signing-key';

/** Notices listed one a line; the rest are counted. */
const SHOWN = 12;

/** One notice as the receiver read it. */
interface Heard {
  status: string;
  event: string;
  where: string;
  title: string;
  verified: boolean;
}

/**
 * What `demo --webhook` delivers to: a receiver on this machine (127.0.0.1, a free port) that
 * reads each signed request as any webhook receiver would (docs/notifiers.md): it checks the
 * signature, answers 204, and keeps a line of what it heard for the demo to print.
 */
export class DemoReceiver {
  readonly #heard: Heard[] = [];
  #server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const header = (name: string) => req.headers[name.toLowerCase()] as string | undefined;
        const verified = verifySignature(
          DEMO_SIGNING_KEY,
          { signature: header(SIGNATURE_HEADER), timestamp: header(TIMESTAMP_HEADER) },
          body,
        );
        this.#heard.push({ ...this.#read(body), verified });
        res.writeHead(verified ? 204 : 401).end();
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/depot-watch`;
    return this;
  }

  /** What was heard, a line a notice, for a person. */
  report(): string {
    const verified = this.#heard.filter((h) => h.verified).length;
    const shown = this.#heard.slice(0, SHOWN);
    const more = this.#heard.length - shown.length;
    const lines = shown.map(
      (h) =>
        `  ${h.status.padEnd(8)} ${h.event.padEnd(10)} ${h.where.padEnd(12)} ${h.title}${h.verified ? '' : ' (signature did not verify)'}`,
    );
    if (more > 0) lines.push(`  …and ${more} more`);
    return `Webhook receiver at ${this.url} got ${this.#heard.length} notice(s), ${verified} with a valid signature:\n${lines.join('\n')}\n`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) =>
      this.#server ? this.#server.close(() => resolve()) : resolve(),
    );
  }

  #read(body: string): Omit<Heard, 'verified'> {
    try {
      const parsed = JSON.parse(body) as {
        status?: string;
        event?: string;
        where?: string;
        notice?: { title?: string };
      };
      return {
        status: String(parsed.status),
        event: String(parsed.event),
        where: plainText(String(parsed.where), 40),
        title: plainText(String(parsed.notice?.title), 100),
      };
    } catch {
      return { status: '?', event: '?', where: '?', title: 'not JSON' };
    }
  }
}
