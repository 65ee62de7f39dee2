import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the AWS Parameters and Secrets Lambda extension: the same local HTTP API
 * (`/systemsmanager/parameters/get`, `/secretsmanager/get`), the same token check.
 */
export async function startParamsAndSecrets(store: {
  parameters?: Record<string, string>;
  secrets?: Record<string, string>;
}) {
  const token = 'session-token-for-tests';
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url.pathname);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers['x-aws-parameters-secrets-token'] !== token)
      return send(401, { message: 'missing token' });
    if (url.pathname === '/systemsmanager/parameters/get') {
      const value = store.parameters?.[url.searchParams.get('name') ?? ''];
      return value === undefined
        ? send(400, { message: 'ParameterNotFound' })
        : send(200, { Parameter: { Value: value } });
    }
    if (url.pathname === '/secretsmanager/get') {
      const value = store.secrets?.[url.searchParams.get('secretId') ?? ''];
      return value === undefined
        ? send(400, { message: 'ResourceNotFoundException' })
        : send(200, { SecretString: value });
    }
    send(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    /** The environment a function sees when the extension runs beside it. */
    env: { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port), AWS_SESSION_TOKEN: token },
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
