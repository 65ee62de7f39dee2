import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Secrets Manager API's GetSecretValue (its JSON protocol, which the SDK
 * speaks to `AWS_ENDPOINT_URL_SECRETS_MANAGER`), serving the given secrets by id and recording
 * the region each request was signed for.
 */
export async function startSecretsManager(secrets: Record<string, string>) {
  const regions: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const send = (status: number, reply: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(reply));
      };
      regions.push(
        /Credential=[^/]+\/\d+\/([\w-]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '',
      );
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue')
        return send(400, { __type: 'UnknownOperationException', message: 'not served here' });
      const { SecretId: id } = JSON.parse(body) as { SecretId: string };
      const value = secrets[id];
      if (value === undefined)
        return send(400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
      send(200, { ARN: id, Name: id, SecretString: value, VersionId: 'v1' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    /** What a CLI process needs to reach it, with credentials it accepts. */
    env: {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example-secret-access-key',
      AWS_REGION: 'us-east-1',
    },
    regions,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
