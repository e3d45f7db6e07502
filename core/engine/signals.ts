/** A node's signal: aborted when the run is cancelled or the node's time limit passes. */
export function nodeSignal(run: AbortSignal | undefined, timeoutMs: number) {
  const controller = new AbortController()
  let timedOut = false
  const onRunAbort = () => controller.abort(run?.reason)
  if (run?.aborted) controller.abort(run.reason)
  else run?.addEventListener('abort', onRunAbort, { once: true })
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new Error(`timed out after ${timeoutMs} ms`))
  }, timeoutMs)
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose() {
      clearTimeout(timer)
      run?.removeEventListener('abort', onRunAbort)
    },
  }
}

/**
 * Settle with the work, or reject as soon as the signal aborts: a node that ignores its signal
 * cannot hold the run past its time limit or a cancel.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      }
    )
  })
}
