import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a stand-in received, as sent. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An answer a stand-in gives. */
export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * A local stand-in for a service on port 0 (127.0.0.1 only): it records each request and
 * answers with what `answer` says, after any answers queued with `next` (a 429, a 503, a
 * malformed body) are used up, so a test can script failures before the service's own answer.
 */
export class StandIn {
  readonly received: Received[] = [];
  readonly #queued: Answer[] = [];
  #server: Server | undefined;
  url = '';

  constructor(private readonly answer: (request: Received) => Answer) {}

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request: Received = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.received.push(request);
        const { status, body = '', headers = {} } = this.#queued.shift() ?? this.answer(request);
        res.writeHead(status, headers).end(body);
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** Answers the next requests with these, in order, before the service's own answer. */
  next(...answers: Answer[]): this {
    this.#queued.push(...answers);
    return this;
  }

  /** Forgets answers queued and not used. */
  clearQueue(): void {
    this.#queued.length = 0;
  }

  /** The bodies received, parsed. */
  bodies<T = Record<string, unknown>>(): T[] {
    return this.received.map((r) => JSON.parse(r.body) as T);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server?.closeAllConnections();
      this.#server?.close(() => resolve());
    });
  }
}

/** A JSON answer. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return {
    status,
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...headers },
  };
}
