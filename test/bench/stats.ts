/** Percentile of a list of durations (ms), nearest rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

/** One line of figures: runs/s, p50, p99. */
export function report(label: string, count: number, elapsedMs: number, latencies: number[]): void {
  const perSecond = (count / elapsedMs) * 1000
  console.log(
    `${label.padEnd(44)} ${perSecond.toFixed(0).padStart(7)} runs/s   p50 ${percentile(latencies, 50).toFixed(3)} ms   p99 ${percentile(latencies, 99).toFixed(3)} ms   (${count} runs)`
  )
}
