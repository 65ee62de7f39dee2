import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How the scan function is bundled: one minified ESM file with the AWS SDK inside, module-first
 * main fields (smaller and faster to load than the CommonJS builds), and a `require` for the
 * Node built-ins that SDK code still asks for. The benchmark bundles with these same settings.
 */
export const BUNDLE_SETTINGS = {
  target: 'node22',
  minify: true,
  mainFields: ['module', 'main'],
  banner:
    "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
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
  };
}
