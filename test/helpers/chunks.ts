/**
 * Copies of UTF-8 pieces that are each valid only until the next is asked for (the state
 * document's writer reuses one buffer), in order.
 */
export function copiesOf(chunks: Iterable<Uint8Array>): Buffer[] {
  return Array.from(chunks, (chunk) => Buffer.from(chunk));
}

/** The text such pieces make together. */
export function textOf(chunks: Iterable<Uint8Array>): string {
  return Buffer.concat(copiesOf(chunks)).toString('utf8');
}
