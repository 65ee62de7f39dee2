/** The HTTP status an AWS SDK error carries, if any. */
export function awsStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** A conditional write lost: the object exists (If-None-Match) or changed (If-Match). */
export function isPreconditionFailed(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return (
    awsStatus(error) === 412 ||
    name === 'PreconditionFailed' ||
    name === 'ConditionalRequestConflict' ||
    awsStatus(error) === 409
  );
}

/** The object is not there. */
export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return awsStatus(error) === 404 || name === 'NoSuchKey' || name === 'NotFound';
}
