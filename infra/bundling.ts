import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How the Lambda functions are bundled: one minified ESM file with the AWS SDK inside,
 * module-first main fields (smaller and faster to load than the CommonJS builds), and a
 * `require` for the Node built-ins that SDK code still asks for. The benchmark bundles with
 * these same settings.
 *
 * `alias` swaps the SDK's default credentials chain for environment credentials only, which
 * is all a Lambda function has (functions/lambda/env-credentials.ts): the SSO, STS, INI and
 * instance-metadata providers and their nested clients leave the bundle (about 120 KiB). Paths
 * are relative to the project root, where esbuild runs (the CDK's local and Docker bundling alike).
 */
export const BUNDLE_SETTINGS = {
  target: 'node22',
  minify: true,
  mainFields: ['module', 'main'],
  banner:
    "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  alias: {
    '@aws-sdk/credential-provider-node': './functions/lambda/env-credentials.ts',
  },
} as const;

/** The NodejsFunction bundling options for BUNDLE_SETTINGS, built by the local esbuild. */
export function lambdaBundling(): nodejs.BundlingOptions {
  return {
    forceDockerBundling: false,
    format: nodejs.OutputFormat.ESM,
    minify: BUNDLE_SETTINGS.minify,
    sourceMap: false,
    target: BUNDLE_SETTINGS.target,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    externalModules: [],
    banner: BUNDLE_SETTINGS.banner,
    esbuildArgs: {
      '--alias': Object.entries(BUNDLE_SETTINGS.alias).map(([from, to]) => `${from}=${to}`),
    },
  };
}
