import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { awsAdapters } from '../../functions/adapters/aws-adapters.ts';

const clients = {
  s3: new S3Client({ region: 'eu-west-1' }),
  sns: new SNSClient({ region: 'eu-west-1' }),
};
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:depot-watch-alerts';

describe('the deployed function’s adapters', () => {
  it('archive and keep state in S3 and alert through the one topic', () => {
    const adapters = awsAdapters(
      { archive: 's3://depot-archive/archive', state: 's3://depot-archive/state', alerts: [TOPIC] },
      clients,
    );
    expect(adapters.archive.location).toBe('s3://depot-archive/archive/');
  });

  it.each([
    [
      { archive: './local', state: 's3://b-ucket/state', alerts: [TOPIC] },
      'archive: the deployed function needs an s3://bucket/prefix URI',
    ],
    [
      { archive: 's3://b-ucket/a', state: '/tmp/state', alerts: [TOPIC] },
      'state: the deployed function needs',
    ],
    [
      { archive: 's3://b-ucket/a', state: 's3://b-ucket/s', alerts: ['stdout'] },
      'alerts: the deployed function publishes to exactly one SNS topic ARN',
    ],
    [
      { archive: 's3://b-ucket/a', state: 's3://b-ucket/s', alerts: [TOPIC, TOPIC] },
      'exactly one SNS topic ARN',
    ],
  ])('refuse a location a Lambda cannot use: %j', (config, message) => {
    expect(() => awsAdapters(config, clients)).toThrow(message);
  });
});
