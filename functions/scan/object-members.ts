/** What a scan of a JSON object's text tells, member by member. */
export interface MemberEvents {
  /** A member begins: its name, decoded. */
  member(name: string): void;
  /** A piece of the member's value, as written (whitespace and all); the pieces join to it. */
  piece(text: string): void;
  /** The member's value is over. */
  end(): void;
}

/** Outside strings, the characters that matter to the object's structure. */
const STRUCTURE = /["{}[\],:]/g;
/** Inside strings, the characters that may end one. */
const STRING_STOP = /["\\]/g;

/**
 * Walks the text of one JSON object as it arrives, in pieces cut anywhere, and hands over each
 * of its members' values as raw text without parsing them: a state document of thousands of
 * records is read record by record, never whole. It checks only the structure it walks
 * (strings, nesting); each value is parsed by whoever takes it.
 */
export class ObjectMembers {
  #depth = 0;
  #inString = false;
  #escaped = false;
  #phase: 'key' | 'colon' | 'value' = 'key';
  #inKey = false;
  #key = '';
  #closed = false;
  /** In a JSON array rather than an object: its elements are the members, named by index. */
  readonly #array: boolean;
  #index = 0;

  constructor(
    private readonly events: MemberEvents,
    { array = false }: { array?: boolean } = {},
  ) {
    this.#array = array;
  }

  /** Whether the object's closing brace has been read. */
  get closed(): boolean {
    return this.#closed;
  }

  feed(chunk: string): void {
    let keyFrom = 0;
    let valueFrom = this.#phase === 'value' ? 0 : -1;
    let i = 0;
    while (i < chunk.length) {
      if (this.#inString) {
        if (this.#escaped) {
          this.#escaped = false;
          i++;
          continue;
        }
        STRING_STOP.lastIndex = i;
        const stop = STRING_STOP.exec(chunk);
        if (!stop) break;
        i = stop.index + 1;
        if (stop[0] === '\\') {
          this.#escaped = true;
          continue;
        }
        this.#inString = false;
        if (this.#inKey) {
          this.#key += chunk.slice(keyFrom, i);
          this.#inKey = false;
          this.#phase = 'colon';
        }
        continue;
      }
      STRUCTURE.lastIndex = i;
      const found = STRUCTURE.exec(chunk);
      if (!found) break;
      i = found.index;
      const c = found[0];
      if (c === '"') {
        this.#inString = true;
        if (this.#depth === 1 && this.#phase === 'key') {
          this.#inKey = true;
          keyFrom = i;
        }
      } else if (this.#depth === 0 && this.#array) {
        if (c !== '[') throw new Error('not a JSON array');
        this.#depth = 1;
        this.#element();
        valueFrom = i + 1;
      } else if (c === '{' || c === '[') {
        if (this.#depth === 0 && c === '[') throw new Error('not a JSON object');
        this.#depth++;
      } else if (this.#array && this.#depth === 1 && (c === ',' || c === ']')) {
        // An element ends (an empty array's only "element" is blank: the taker skips it).
        this.events.piece(chunk.slice(valueFrom, i));
        this.events.end();
        valueFrom = -1;
        if (c === ']') this.#close();
        else {
          this.#element();
          valueFrom = i + 1;
        }
      } else if (this.#depth === 1 && c === ':' && this.#phase === 'colon') {
        this.events.member(JSON.parse(this.#key) as string);
        this.#key = '';
        this.#phase = 'value';
        valueFrom = i + 1;
      } else if (this.#depth === 1 && (c === ',' || c === '}') && this.#phase === 'value') {
        this.events.piece(chunk.slice(valueFrom, i));
        this.events.end();
        valueFrom = -1;
        this.#phase = 'key';
        if (c === '}') this.#close();
      } else if (c === '}' || c === ']') {
        if (this.#depth === 1) this.#close();
        else this.#depth--;
      }
      i++;
    }
    if (this.#inKey) this.#key += chunk.slice(keyFrom);
    if (valueFrom >= 0) this.events.piece(chunk.slice(valueFrom));
  }

  #element(): void {
    this.events.member(String(this.#index++));
    this.#phase = 'value';
  }

  #close(): void {
    this.#depth = 0;
    this.#phase = 'key';
    this.#closed = true;
  }
}

/** What takes one value's text as it arrives: a member's, an element's or a whole text's. */
export type ValueEvents = Omit<MemberEvents, 'member'>;

/** A value whose text is passed over. */
export const PASSED_OVER: ValueEvents = { piece: () => undefined, end: () => undefined };

/** A value parsed once its text is whole: for the small ones. */
export function parsedValue(take: (value: unknown) => void): ValueEvents {
  let text = '';
  return {
    piece: (piece) => {
      text += piece;
    },
    end: () => take(JSON.parse(text)),
  };
}

/**
 * An object value walked member by member, each member's value handed to what `memberOf`
 * gives for its name; `closed` says whether its last brace came.
 */
export function membersOf(
  memberOf: (name: string) => ValueEvents,
  { array = false }: { array?: boolean } = {},
): ValueEvents & { readonly closed: boolean } {
  let value = PASSED_OVER;
  const walker = new ObjectMembers(
    {
      member: (name) => {
        value = memberOf(name);
      },
      piece: (piece) => value.piece(piece),
      end: () => value.end(),
    },
    { array },
  );
  return {
    piece: (piece) => walker.feed(piece),
    end: () => undefined,
    get closed() {
      return walker.closed;
    },
  };
}

/**
 * An object value walked member by member, each member's whole text (trimmed) to `take` with
 * its name, unparsed: a record to keep as it is, or to parse one at a time.
 */
export function textsOf(
  take: (name: string, text: string) => void,
  { array = false }: { array?: boolean } = {},
): ValueEvents & { readonly closed: boolean } {
  return membersOf(
    (name) => {
      let text = '';
      return {
        piece: (piece) => {
          text += piece;
        },
        end: () => {
          // An empty array's only "element" is blank.
          const value = text.trim();
          if (value !== '') take(name, value);
        },
      };
    },
    { array },
  );
}

/** An array value walked element by element, each element's text (trimmed) to `take`. */
export function elementsOf(
  take: (text: string) => void,
): ValueEvents & { readonly closed: boolean } {
  return textsOf((_, text) => take(text), { array: true });
}
