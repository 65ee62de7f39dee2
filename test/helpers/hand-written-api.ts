import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A DepotFinity stand-in written by hand: it serves the page texts a test gives it, exactly as
 * given, for one connector — for reports no simulator would make (hostile, huge, odd).
 * `/oauth2/token` always grants; `/v1/sessionReports` pages by `page` and `limit`.
 */
export async function startHandWrittenApi(items: readonly string[]) {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url.pathname + url.search);
    if (url.pathname === '/oauth2/token') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"access_token":"t","expires_in":3600,"token_type":"bearer"}');
      return;
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    const limit = Number(url.searchParams.get('limit') ?? '10');
    const slice = items.slice((page - 1) * limit, page * limit);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      `{"ChargerID":${JSON.stringify(url.searchParams.get('chargerId'))},"ConnectorID":"1","items":[${slice.join(',')}]}`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    tokenUrl: `${url}/oauth2/token`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
