/**
 * Where a text stops being JSON, as `line L, column C`, without a word of the text itself:
 * V8's own message quotes the text around the error, and a config file may hold a secret there.
 * Called only once JSON.parse has failed, so it is written for clarity, not speed.
 */
export function jsonErrorPosition(text: string): string {
  const offset = new JsonScanner(text).firstErrorOffset();
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/** Thrown inside the scanner where the text stops being JSON. */
class NotJson extends Error {}

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/;

/** A small recursive-descent JSON syntax checker that knows where it failed. */
class JsonScanner {
  #i = 0;

  constructor(private readonly text: string) {}

  /** The offset of the first character that cannot continue a JSON text. */
  firstErrorOffset(): number {
    try {
      this.#value();
      this.#space();
      if (this.#i < this.text.length) this.#fail();
      return this.text.length;
    } catch (error) {
      if (!(error instanceof NotJson)) throw error;
      return Math.min(this.#i, this.text.length);
    }
  }

  #fail(): never {
    throw new NotJson();
  }

  #space(): void {
    while (this.#i < this.text.length && ' \t\n\r'.includes(this.text[this.#i] as string))
      this.#i++;
  }

  #value(): void {
    this.#space();
    const ch = this.text[this.#i];
    if (ch === '{') this.#container('}', () => this.#member());
    else if (ch === '[') this.#container(']', () => this.#value());
    else if (ch === '"') this.#string();
    else if (ch === 't') this.#literal('true');
    else if (ch === 'f') this.#literal('false');
    else if (ch === 'n') this.#literal('null');
    else this.#number();
  }

  #member(): void {
    this.#space();
    if (this.text[this.#i] !== '"') this.#fail();
    this.#string();
    this.#space();
    if (this.text[this.#i] !== ':') this.#fail();
    this.#i++;
    this.#value();
  }

  #container(close: string, member: () => void): void {
    this.#i++;
    this.#space();
    if (this.text[this.#i] === close) {
      this.#i++;
      return;
    }
    for (;;) {
      member();
      this.#space();
      const ch = this.text[this.#i];
      if (ch === close) {
        this.#i++;
        return;
      }
      if (ch !== ',') this.#fail();
      this.#i++;
    }
  }

  #string(): void {
    this.#i++;
    while (this.#i < this.text.length && this.text[this.#i] !== '"') {
      if (this.text.charCodeAt(this.#i) < 0x20) this.#fail();
      this.#i += this.text[this.#i] === '\\' ? 2 : 1;
    }
    if (this.#i >= this.text.length) this.#fail();
    this.#i++;
  }

  #literal(word: string): void {
    for (const ch of word) {
      if (this.text[this.#i] !== ch) this.#fail();
      this.#i++;
    }
  }

  #number(): void {
    const match = NUMBER.exec(this.text.slice(this.#i));
    if (!match) this.#fail();
    this.#i += match[0].length;
  }
}
