import { createServer, type Socket } from 'node:net'

export interface SilentServer {
  endpoint: string
  /** Connections accepted so far, open or closed. */
  accepted(): number
  /** Resolves once `count` connections have been accepted. */
  connections(count: number): Promise<void>
  /** Resolves once every accepted connection has been closed by the other side (or `stop`). */
  allClosed(): Promise<void>
  stop(): Promise<void>
}

/**
 * A loopback TCP server that accepts connections and never answers: the endpoint an SDK client
 * must not wait on forever.
 */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>()
  const closed: Promise<void>[] = []
  const waiters: { count: number; resolve: () => void }[] = []
  let accepted = 0
  const server = createServer((socket) => {
    accepted++
    sockets.add(socket)
    socket.on('error', () => {})
    // Read and drop what arrives, so the other side's close is seen ('end' needs a flowing stream).
    socket.resume()
    closed.push(new Promise((resolve) => socket.once('close', () => resolve())))
    socket.once('close', () => sockets.delete(socket))
    for (const waiter of waiters.filter((w) => accepted >= w.count)) waiter.resolve()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as { port: number }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    connections: (count) =>
      accepted >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    allClosed: async () => {
      await Promise.all(closed)
    },
    async stop() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
