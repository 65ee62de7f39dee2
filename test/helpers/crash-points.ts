/** The step boundaries a run can die at, in the order a run reaches them. */
export const CRASH_POINTS = [
  'after-archiving',
  'after-commit',
  'mid-delivery',
  'before-receipt',
  'before-marking',
] as const;

/** A step boundary of a run (see `CRASH_POINTS`), or the archive's writes of reports. */
export type CrashPoint = (typeof CRASH_POINTS)[number] | 'archiving';
