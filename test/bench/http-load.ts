import { connect, type Socket } from 'node:net'

/**
 * A lean HTTP/1.1 load client for benches: keep-alive connections over raw sockets, one request in
 * flight per connection, requests written as prepared bytes and answers parsed just enough (status,
 * Content-Length or chunked) to know where each ends. The client shares the machine's two cores with
 * the server it measures; node's `http.request` costs about as much CPU per request as the server's
 * whole run admission, so it would halve the figure it is meant to report.
 */
export interface LoadRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: string
}

export interface LoadResult {
  /** Milliseconds from writing each request to its last response byte, in completion order. */
  latencies: number[]
  /** How many answers each status got. */
  statuses: Map<number, number>
  elapsedMs: number
  /** CPU time (user + system) this client process spent, in ms. */
  clientCpuMs: number
}

export async function runLoad(options: {
  url: string
  connections: number
  total: number
  request: (index: number) => LoadRequest
}): Promise<LoadResult> {
  const { hostname, port } = new URL(options.url)
  const host = hostname.replace(/^\[|\]$/g, '')
  const latencies: number[] = []
  const statuses = new Map<number, number>()
  let next = 0
  const cpu = process.cpuUsage()
  const started = performance.now()
  await Promise.all(
    Array.from({ length: Math.min(options.connections, options.total) }, async () => {
      const connection = await open(host, Number(port))
      try {
        while (next < options.total) {
          const bytes = encode(options.request(next++), `${hostname}:${port}`)
          const sent = performance.now()
          const status = await connection.exchange(bytes)
          latencies.push(performance.now() - sent)
          statuses.set(status, (statuses.get(status) ?? 0) + 1)
        }
      } finally {
        connection.close()
      }
    })
  )
  const elapsedMs = performance.now() - started
  const used = process.cpuUsage(cpu)
  return { latencies, statuses, elapsedMs, clientCpuMs: (used.user + used.system) / 1000 }
}

function encode(request: LoadRequest, host: string): Buffer {
  const body = request.body === undefined ? undefined : Buffer.from(request.body)
  let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${host}\r\n`
  for (const [name, value] of Object.entries(request.headers)) head += `${name}: ${value}\r\n`
  head += `content-length: ${body?.length ?? 0}\r\n\r\n`
  return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1')
}

interface Connection {
  /** Write one request and resolve with the status once its whole answer has arrived. */
  exchange(request: Buffer): Promise<number>
  close(): void
}

function open(host: string, port: number): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true })
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.off('error', reject)
      resolve(connection(socket))
    })
  })
}

const HEADER_END = Buffer.from('\r\n\r\n')
const CHUNKED_END = Buffer.from('\r\n0\r\n\r\n')

function connection(socket: Socket): Connection {
  let buffered: Buffer = Buffer.alloc(0)
  let waiting: { resolve: (status: number) => void; reject: (err: Error) => void } | undefined

  /** The length of the first complete response in `buffered` and its status, or undefined. */
  function complete(): { length: number; status: number } | undefined {
    const headerEnd = buffered.indexOf(HEADER_END)
    if (headerEnd < 0) return undefined
    const head = buffered.toString('latin1', 0, headerEnd)
    const status = Number(head.slice(9, 12))
    const bodyStart = headerEnd + HEADER_END.length
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)
    if (length) {
      const end = bodyStart + Number(length[1])
      return buffered.length >= end ? { length: end, status } : undefined
    }
    if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      // Enough for a bench: the last chunk is the first "0" chunk after the body starts.
      const last = buffered.indexOf(CHUNKED_END, bodyStart - 2)
      return last < 0 ? undefined : { length: last + CHUNKED_END.length, status }
    }
    return { length: bodyStart, status }
  }

  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk])
    const done = waiting && complete()
    if (!done || !waiting) return
    buffered = buffered.subarray(done.length)
    const { resolve } = waiting
    waiting = undefined
    resolve(done.status)
  })
  const fail = (err: Error) => {
    const pending = waiting
    waiting = undefined
    pending?.reject(err)
  }
  socket.on('error', fail)
  socket.on('close', () => fail(new Error('the server closed the connection')))

  return {
    exchange(request) {
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject }
        socket.write(request)
      })
    },
    close: () => socket.destroy(),
  }
}
