import { awsStatus } from '../adapters/aws-errors.ts';
import { networkProblem } from '../http/network-errors.ts';
import { pathErrorSentence } from './load-config.ts';

/**
 * The one line a command ends on when something outside it failed: a path the person gave, AWS
 * (no region, no credentials, a refusal), the network. Each names what to do; node's and the
 * SDK's own wording ("EEXIST: file already exists, mkdir …", "Region is missing") says neither.
 */
export function errorSentence(error: unknown): string {
  return (
    pathErrorSentence(error) ??
    awsSentence(error) ??
    networkSentence(error) ??
    (error instanceof Error ? error.message : String(error))
  );
}

/** What the AWS SDK refused to do, and what to set or check. */
function awsSentence(error: unknown): string | undefined {
  const e = (error ?? {}) as { name?: string; message?: string; BucketName?: string };
  if (e.message === 'Region is missing')
    return 'no AWS region is set for S3; set AWS_REGION (for example AWS_REGION=eu-west-1)';
  if (e.message?.startsWith('Region not accepted'))
    return 'AWS_REGION is not a region; set it to one such as eu-west-1';
  if (e.name === 'CredentialsProviderError' || /Could not load credentials/.test(e.message ?? ''))
    return 'no AWS credentials found; set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  if (e.name === 'NoSuchBucket')
    return `the bucket${e.BucketName ? ` ${e.BucketName}` : ''} does not exist; check the s3:// URI and the region`;
  const status = awsStatus(error);
  if (e.name === 'AccessDenied' || status === 403)
    return 'AWS refused access to the bucket; the credentials in use need read and write access to it';
  if (status !== undefined)
    return `AWS answered ${e.name ?? status}: ${e.message ?? 'no reason given'}`;
  return undefined;
}

/** A connection that failed, with the host it tried; S3 is the one the CLI reaches itself. */
function networkSentence(error: unknown): string | undefined {
  const problem = networkProblem(error);
  if (problem === undefined) return undefined;
  return `cannot reach S3: ${problem}; check the network, and AWS_ENDPOINT_URL_S3 if it is set`;
}
