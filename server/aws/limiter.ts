/**
 * A counting semaphore: at most `size` holders at a time, the rest wait in arrival order. Used to
 * cap calls per account and region, the unit AWS throttles by.
 */
export class Semaphore {
  private active = 0
  private readonly waiting: (() => void)[] = []

  constructor(readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.active++
    try {
      return await task()
    } finally {
      // Hand the slot straight to the next waiter, or give it back.
      const next = this.waiting.shift()
      if (next) next()
      else this.active--
    }
  }
}
