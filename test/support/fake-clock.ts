import type { Clock } from '../../plugins/shared/clock.ts'

/** A clock that moves only when a test says so; timers run in time order as it passes them. */
export class FakeClock implements Clock {
  private timers: { at: number; seq: number; callback: () => void }[] = []
  private seq = 0

  constructor(private current: number) {}

  now = () => this.current

  setTimer = (callback: () => void, delayMs: number) => {
    const timer = { at: this.current + Math.max(0, delayMs), seq: this.seq++, callback }
    this.timers.push(timer)
    return () => {
      this.timers = this.timers.filter((t) => t !== timer)
    }
  }

  /** Pending timers, for asserting that a teardown really disarmed everything. */
  get pending(): number {
    return this.timers.length
  }

  /** Move to `target`, running each due timer at its own instant and letting promises settle. */
  async advanceTo(target: number): Promise<void> {
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (!due) break
      this.timers = this.timers.filter((t) => t !== due)
      this.current = Math.max(this.current, due.at)
      due.callback()
      await new Promise((resolve) => setImmediate(resolve))
    }
    this.current = Math.max(this.current, target)
  }

  /** Move time without running timers, as when the event loop stalls; they run late on the next advance. */
  jumpTo(target: number): void {
    this.current = Math.max(this.current, target)
  }

  advanceBy(ms: number): Promise<void> {
    return this.advanceTo(this.current + ms)
  }
}
