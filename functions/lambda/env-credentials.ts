import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias in
 * infra/bundling.ts), which the S3 and SNS clients import for their default credentials. Lambda
 * hands a function its role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN, so the default chain's other links (SSO, STS web identity, INI files,
 * instance metadata, and the nested SDK clients they use) are dead weight there: about 120 KiB
 * of bundle to parse at every cold start. The CLI and local runs are not bundled with the alias
 * and keep the whole chain.
 */
export function defaultProvider(init?: FromEnvInit) {
  return fromEnv(init);
}
