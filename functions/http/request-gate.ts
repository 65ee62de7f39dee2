import {
  type AimdSettings,
  type AimdState,
  aimdStart,
  aimdSucceeded,
  aimdThrottled,
} from '../core/aimd.ts';
import { TransientError } from './errors.ts';

/**
 * Admits API requests under a limit that adapts to the vendor's answers (see `core/aimd.ts`):
 * one gate is shared by every connector of a run, so a 429 slows the whole client down, not
 * only the connector that got it. A request holds its place only while it is on the wire: a
 * retry's wait (Retry-After, backoff) leaves room for the others.
 */
export class RequestGate {
  readonly #settings: AimdSettings;
  #state: AimdState;
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];
  /** 429s seen, and the highest limit reached, for benchmarks and a person watching. */
  readonly stats = { throttled: 0, highestLimit: 0 };

  constructor(settings: AimdSettings) {
    this.#settings = settings;
    this.#state = aimdStart(settings);
    this.stats.highestLimit = this.#state.limit;
  }

  /** Requests that may be in flight now. */
  get limit(): number {
    return this.#state.limit;
  }

  /** Runs one request once there is room; a 429 (a TransientError with status 429) halves the limit. */
  async run<T>(request: () => Promise<T>): Promise<T> {
    while (this.#inFlight >= this.#state.limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#inFlight++;
    const epoch = this.#state.epoch;
    try {
      const result = await request();
      this.#state = aimdSucceeded(this.#state, epoch, this.#settings);
      this.stats.highestLimit = Math.max(this.stats.highestLimit, this.#state.limit);
      return result;
    } catch (error) {
      // Only a 429 speaks about the rate limit; a timeout or a 5xx is the retry policy's business.
      if (error instanceof TransientError && error.status === 429) {
        this.stats.throttled++;
        this.#state = aimdThrottled(this.#state, epoch);
      }
      throw error;
    } finally {
      this.#inFlight--;
      this.#wake();
    }
  }

  #wake(): void {
    let room = this.#state.limit - this.#inFlight;
    while (room-- > 0 && this.#waiting.length > 0) this.#waiting.shift()?.();
  }
}
