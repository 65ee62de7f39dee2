import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/**
 * Reading an archive back from S3, for replay. Kept apart from the scan's own S3 access so the
 * Lambda bundle does not carry the listing code it never runs.
 */
export class S3Listing {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  /** Every key under a prefix, page by page. */
  async *keys(prefix: string): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
      token = page.NextContinuationToken;
    } while (token);
  }

  /** Reads an object as text. */
  async readText(key: string): Promise<string> {
    const response = await this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key }),
    );
    return (await response.Body?.transformToString('utf8')) ?? '';
  }
}
