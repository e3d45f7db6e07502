/** Percentile of a list of durations (ms), nearest rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

/**
 * One line of figures: runs/s, p50, p99, and CPU time per run. On a shared machine wall-clock
 * figures swing with the neighbours' load; CPU per run says what a run costs this process.
 */
export function report(
  label: string,
  count: number,
  elapsedMs: number,
  latencies: number[],
  cpu: NodeJS.CpuUsage
): void {
  const perSecond = (count / elapsedMs) * 1000
  const cpuMsPerRun = (cpu.user + cpu.system) / 1000 / count
  console.log(
    `${label.padEnd(40)} ${perSecond.toFixed(0).padStart(6)} runs/s   p50 ${percentile(latencies, 50).toFixed(3)} ms   p99 ${percentile(latencies, 99).toFixed(3)} ms   cpu ${cpuMsPerRun.toFixed(3)} ms/run   (${count} runs)`
  )
}
