// An API whose reports are large (a 400 KB field each), in its own process, for the large-page
// memory benchmark. Serves a token and pages of `reportsPerConnector` reports per connector.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const options = JSON.parse(process.argv[2] ?? '{}') as {
  reportsPerConnector: number;
  reportBytes: number;
  /** The clock the reports end before (ISO), the scan's own: the same pages on every run. */
  nowIso: string;
};
const padding = 'x'.repeat(options.reportBytes);
const ended = Date.parse(options.nowIso) - 60_000;

/** Report `n` of a connector: valid, healthy, and made large by a field no rule reads. */
function report(chargerId: string, n: number): string {
  const end = new Date(ended - n * 600_000);
  const start = new Date(end.getTime() - 300_000);
  return JSON.stringify({
    sessionId: `${chargerId}-${n}`,
    sessionTimeStart: start.toISOString(),
    sessionTimeEnd: end.toISOString(),
    vendorTrace: padding,
  });
}

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  response.setHeader('content-type', 'application/json');
  if (url.pathname.endsWith('/oauth2/token')) {
    response.end(JSON.stringify({ access_token: 't', expires_in: 3600, token_type: 'Bearer' }));
    return;
  }
  const chargerId = url.searchParams.get('chargerId') ?? '';
  const page = Number(url.searchParams.get('page'));
  const limit = Number(url.searchParams.get('limit'));
  const first = (page - 1) * limit;
  const last = Math.min(page * limit, options.reportsPerConnector);
  const items: string[] = [];
  for (let n = first; n < last; n++) items.push(report(chargerId, n));
  response.end(`{"items":[${items.join(',')}]}`);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  process.stdout.write(`${JSON.stringify({ url, tokenUrl: `${url}/oauth2/token` })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
