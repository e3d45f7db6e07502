/**
 * Time as a host service. Triggers arm their timers through `ctx.services.clock`, so the server
 * hands them the real clock and tests hand them a fake one they can move forward at will.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Call `callback` once after `delayMs`; the returned function cancels it. */
  setTimer(callback: () => void, delayMs: number): () => void
}

declare module '../../core/plugin/types.ts' {
  interface Services {
    /** Absent means the system clock (see `clockOf`). */
    clock?: Clock
  }
}

/** Node's timers take at most 2^31-1 ms; longer waits are split into chunks of this size. */
export const MAX_TIMER_MS = 2_147_483_647

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    const timer = setTimeout(callback, Math.min(Math.max(0, delayMs), MAX_TIMER_MS))
    // A pending schedule should not keep a CLI process alive on its own.
    ;(timer as { unref?: () => void }).unref?.()
    return () => clearTimeout(timer)
  },
}

export function clockOf(services: { clock?: Clock }): Clock {
  return services.clock ?? systemClock
}
