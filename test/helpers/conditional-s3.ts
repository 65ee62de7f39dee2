import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the layer passed on (or answered itself), as S3 would bill it. */
export interface S3Request {
  method: string;
  /** The object key, without the bucket; empty for a bucket-level request (a listing). */
  key: string;
  /** The HTTP status it was answered with, once answered. */
  status?: number;
}

/** A request the test wants to fail once, as S3 does now and then. */
export interface InjectedFailure {
  matches(request: S3Request): boolean;
  /** 500 by default. */
  status?: number;
}

/**
 * S3's conditional writes in front of s3rver, which ignores them: a PUT with `If-None-Match: *`
 * or `If-Match: <etag>` is checked against the object's current ETag and answered 412
 * PreconditionFailed (or 404 NoSuchKey for `If-Match` on a missing key) as S3 answers, the check
 * and the write atomic per key. It also counts every request, and fails the ones a test asks it
 * to, so a store's compare-and-swap and its faults are tested over real HTTP.
 */
export async function conditionalLayer(target: string) {
  const upstream = new URL(target);
  const locks = new Map<string, Promise<void>>();
  const requests: S3Request[] = [];
  const failures: InjectedFailure[] = [];

  const server = createServer(async (incoming, answer) => {
    const body = await bodyOf(incoming);
    const url = new URL(incoming.url ?? '/', 'http://layer');
    const [, , ...rest] = url.pathname.split('/');
    const seen: S3Request = {
      method: incoming.method ?? 'GET',
      key: decodeURIComponent(rest.join('/')),
    };
    requests.push(seen);
    const failure = failures.find((f) => f.matches(seen));
    if (failure) {
      failures.splice(failures.indexOf(failure), 1);
      seen.status = failure.status ?? 500;
      return reply(
        answer,
        seen.status,
        'InternalError',
        'We encountered an internal error. Please try again.',
      );
    }
    const ifMatch = header(incoming, 'if-match');
    const ifNoneMatch = header(incoming, 'if-none-match');
    if (seen.method !== 'PUT' || (ifMatch === undefined && ifNoneMatch === undefined))
      return forward(incoming, body, answer, seen);
    // Atomic per key: the check and the write happen with no other conditional write between.
    const previous = locks.get(url.pathname) ?? Promise.resolve();
    let release = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    locks.set(
      url.pathname,
      previous.then(() => mine),
    );
    await previous;
    try {
      const current = await etagOf(url.pathname);
      const refusal = refusalOf(current, ifMatch, ifNoneMatch);
      if (refusal) {
        seen.status = refusal.status;
        return reply(answer, refusal.status, refusal.code, refusal.message);
      }
      await forward(incoming, body, answer, seen);
    } finally {
      release();
    }
  });

  function etagOf(path: string): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const head = httpRequest(
        { host: upstream.hostname, port: upstream.port, path, method: 'HEAD' },
        (response) => {
          response.resume();
          const etag = response.headers.etag;
          resolve(response.statusCode === 200 && typeof etag === 'string' ? etag : undefined);
        },
      );
      head.on('error', reject);
      head.end();
    });
  }

  function forward(
    incoming: IncomingMessage,
    body: Buffer,
    answer: import('node:http').ServerResponse,
    seen: S3Request,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const out = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: incoming.url,
          method: incoming.method,
          headers: incoming.headers,
        },
        (response) => {
          seen.status = response.statusCode ?? 502;
          answer.writeHead(seen.status, response.headers);
          response.pipe(answer);
          response.on('end', resolve);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    /** Every request so far, in order. */
    requests,
    /** Fails the next request that matches, once. */
    failNext(failure: InjectedFailure): void {
      failures.push(failure);
    },
    /** Forgets the failures asked for and not yet met. */
    clearFailures(): void {
      failures.length = 0;
    },
    close(): Promise<void> {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export type ConditionalLayer = Awaited<ReturnType<typeof conditionalLayer>>;

/** What S3 answers a conditional PUT whose condition does not hold, or undefined when it holds. */
function refusalOf(
  current: string | undefined,
  ifMatch: string | undefined,
  ifNoneMatch: string | undefined,
): { status: number; code: string; message: string } | undefined {
  const failed = {
    status: 412,
    code: 'PreconditionFailed',
    message: 'At least one of the pre-conditions you specified did not hold',
  };
  if (ifNoneMatch === '*' && current !== undefined) return failed;
  if (ifMatch === undefined) return undefined;
  if (current === undefined)
    return { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' };
  return unquoted(ifMatch) === unquoted(current) ? undefined : failed;
}

function header(incoming: IncomingMessage, name: string): string | undefined {
  const value = incoming.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function unquoted(etag: string): string {
  return etag.replace(/^W\//, '').replace(/"/g, '');
}

function bodyOf(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
    incoming.on('error', reject);
  });
}

function reply(
  answer: import('node:http').ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  answer.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(xml),
  });
  answer.end(xml);
}
