import * as z from 'zod/mini';
import type { IncidentNotification } from '../core/incidents/incident.ts';

/**
 * Which notices a channel hears, as the email filters choose by severity and subject: every
 * list given must name the notice's value; a list left out lets all through. Alertmanager's
 * route matchers, cut down to the four things a depot routes on.
 */
export const routeSchema = z.optional(
  z.strictObject({
    severities: z
      .optional(z.array(z.enum(['info', 'warning', 'critical'])).check(z.minLength(1)))
      .check(z.describe('Severities the channel hears. Default: all.')),
    events: z
      .optional(
        z
          .array(z.enum(['open', 'reminder', 'escalate', 'attributed', 'resolve']))
          .check(z.minLength(1)),
      )
      .check(z.describe('Events the channel hears. Default: all.')),
    subjects: z
      .optional(z.array(z.enum(['connector', 'charger', 'vehicle', 'depot'])).check(z.minLength(1)))
      .check(
        z.describe('What the incident is about: connector, charger, vehicle, depot. Default: all.'),
      ),
    depots: z
      .optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1)))
      .check(z.describe('Depots (in a config of several) the channel hears. Default: all.')),
  }),
);

/** A channel's route, as configured. */
export type Route = z.infer<typeof routeSchema>;

/** Whether a notice passes a route. A notice of a config of one fleet has no depot: a depot list then lets nothing through. */
export function routes(route: Route, notice: IncidentNotification): boolean {
  if (!route) return true;
  const allows = <T>(list: readonly T[] | undefined, value: T | undefined) =>
    list === undefined || (value !== undefined && list.includes(value));
  return (
    allows(route.severities, notice.severity) &&
    allows(route.events, notice.event) &&
    allows(route.subjects, notice.subject) &&
    allows(route.depots, notice.depot)
  );
}

/** A route in a few words, for `config check`: `critical, warning; open, resolve`. */
export function describeRoute(route: Route): string {
  if (!route) return 'every notice';
  const parts = [route.severities, route.events, route.subjects, route.depots]
    .filter((list) => list !== undefined)
    .map((list) => list.join(', '));
  return parts.join('; ');
}
