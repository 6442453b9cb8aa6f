// Time as a dependency: the work queue and informers take a Clock so tests can drive it exactly
// (see createFakeClock in testing.ts).

export interface Clock {
  /** milliseconds since the epoch */
  now(): number;
  /** schedules `fn` after `ms`; returns a handle for clearTimeout */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The machine's clock and timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
