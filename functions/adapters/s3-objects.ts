import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNotFound, isPreconditionFailed } from './aws-errors.ts';

/** A JSON document read from S3 with the ETag to compare-and-swap against. */
export interface Versioned<T> {
  value: T | undefined;
  /** undefined when the object did not exist. */
  etag: string | undefined;
}

/** The few S3 object operations the archive and the state need, with their conditions. */
export class S3Objects {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
  ) {}

  /**
   * Creates an object only if its key is free: one PUT with `If-None-Match: *`, which S3
   * refuses with 412 when the key exists. Re-read reports seldom get here: a run skips those its
   * state says are archived.
   */
  async createOnce(key: string, body: string | Uint8Array): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
      return true;
    } catch (error) {
      if (isPreconditionFailed(error)) return false;
      throw error;
    }
  }

  /** Reads a JSON object and its ETag; a missing object gives `{ value: undefined }`. */
  async readJson<T>(key: string): Promise<Versioned<T>> {
    const { value, etag } = await this.readText(key);
    return { value: value === undefined ? undefined : (JSON.parse(value) as T), etag };
  }

  /** Reads an object as UTF-8 text with its ETag; a missing object gives `{ value: undefined }`. */
  async readText(key: string): Promise<Versioned<string>> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      const text = (await response.Body?.transformToString('utf8')) ?? '';
      return { value: text, etag: response.ETag };
    } catch (error) {
      if (isNotFound(error)) return { value: undefined, etag: undefined };
      throw error;
    }
  }

  /**
   * Reads an object as UTF-8 text in pieces as it arrives, with its ETag; a missing object
   * gives undefined. The pieces must be read to the end (or the connection is held).
   */
  async readTextPieces(
    key: string,
  ): Promise<{ text: AsyncIterable<string>; etag: string } | undefined> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      const body = response.Body as AsyncIterable<Uint8Array> | undefined;
      return { text: utf8Pieces(body ?? []), etag: response.ETag ?? '' };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Writes a text object whatever is there: for what only one writer makes (a KPI partition). */
  async writeText(key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  /**
   * Writes a JSON object only if it is still the version read (`If-Match`), or still absent
   * (`If-None-Match`). Returns the new ETag, or undefined when another writer got there first.
   */
  async writeJsonIfUnchanged(
    key: string,
    value: unknown,
    etag: string | undefined,
  ): Promise<string | undefined> {
    return this.writeTextIfUnchanged(
      key,
      `${JSON.stringify(value, null, 2)}\n`,
      etag,
      'application/json',
    );
  }

  /**
   * Writes a text object on the same conditions as `writeJsonIfUnchanged` (JSON Lines, say).
   * Returns the new ETag, or undefined when another writer got there first.
   */
  async writeTextIfUnchanged(
    key: string,
    body: string | Uint8Array,
    etag: string | undefined,
    contentType: string,
  ): Promise<string | undefined> {
    try {
      const response = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ...(etag ? { IfMatch: etag } : { IfNoneMatch: '*' }),
        }),
      );
      return response.ETag ?? '';
    } catch (error) {
      // If-Match on a key since deleted: S3 answers 404, and the write lost all the same.
      if (isPreconditionFailed(error) || (etag !== undefined && isNotFound(error)))
        return undefined;
      throw error;
    }
  }
}

/** UTF-8 bytes as text, a piece per chunk; a character cut between chunks waits for the next. */
async function* utf8Pieces(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of chunks) yield decoder.decode(chunk, { stream: true });
  yield decoder.decode();
}
