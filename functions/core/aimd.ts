/**
 * Additive increase, multiplicative decrease: how many requests may be in flight against an
 * API whose rate limit is not documented. The limit grows by one after as many successes in a
 * row as it allows (one full round at the current size), and halves on a throttle. Pure: the
 * caller holds the state and says what happened.
 */

/** Where the controller starts and how high it may go. */
export interface AimdSettings {
  /** Requests in flight at first; clamped to 1..ceiling. */
  start: number;
  /** Requests in flight at most. */
  ceiling: number;
}

/** The controller's state between requests. */
export interface AimdState {
  /** Requests that may be in flight now. */
  limit: number;
  /** Successes since the limit last changed, of requests sent since the last decrease. */
  successes: number;
  /**
   * Counts decreases. A request remembers the epoch it was sent in: the throttles of one
   * overloaded round halve the limit once, not once per request that was already on its way,
   * and only requests sent at the new size vouch for growing it again.
   */
  epoch: number;
}

/**
 * The limit a scan starts at: eight, what the product ran at before it adapted and what the
 * vendor has served without complaint, or the ceiling when that is lower.
 */
export const AIMD_START = 8;

/** The first state: `start` in flight, nothing counted yet. */
export function aimdStart(settings: AimdSettings): AimdState {
  const limit = Math.max(1, Math.min(settings.ceiling, Math.floor(settings.start)));
  return { limit, successes: 0, epoch: 0 };
}

/**
 * After a request sent in `sentInEpoch` that was not throttled: one more in flight once a full
 * round at the current size succeeded.
 */
export function aimdSucceeded(
  state: AimdState,
  sentInEpoch: number,
  settings: AimdSettings,
): AimdState {
  if (sentInEpoch < state.epoch) return state;
  const successes = state.successes + 1;
  if (successes < state.limit) return { ...state, successes };
  return { ...state, limit: Math.min(settings.ceiling, state.limit + 1), successes: 0 };
}

/**
 * After a throttled request sent in `sentInEpoch`: half as many in flight, at least one.
 * A request sent before the last decrease was part of the round already answered for.
 */
export function aimdThrottled(state: AimdState, sentInEpoch: number): AimdState {
  if (sentInEpoch < state.epoch) return state;
  return { limit: Math.max(1, Math.floor(state.limit / 2)), successes: 0, epoch: state.epoch + 1 };
}
