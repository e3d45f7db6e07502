import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'

/**
 * A real AWS API emulator (moto) on loopback for integration suites: started on a free port,
 * awaited until it answers, reset between suites, killed at the end. Tests seed it through the
 * real SDK, so the code under test talks to it exactly as it would to AWS.
 */
export interface Moto {
  endpoint: string
  reset(): Promise<void>
  stop(): Promise<void>
}

const INSTALL_HINT =
  'moto 5 for python3 is needed for the AWS integration tests: `python3 -m pip install "moto[server]>=5"` (Debian: `apt-get install python3-pip` first)'

export function motoAvailable(): { ok: true } | { ok: false; reason: string } {
  const probe = spawnSync('python3', ['-c', 'import moto.server, sys; sys.stdout.write(moto.__version__)'], {
    encoding: 'utf8',
  })
  if (probe.error) return { ok: false, reason: `python3 is not on PATH. ${INSTALL_HINT}` }
  if (probe.status !== 0) return { ok: false, reason: `moto is not importable. ${INSTALL_HINT}` }
  return { ok: true }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

async function waitUntilUp(endpoint: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode}: ${log()}`)
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`moto did not answer on ${endpoint} within 30 s: ${log()}`)
}

export async function startMoto(): Promise<Moto> {
  const available = motoAvailable()
  if (!available.ok) throw new Error(available.reason)
  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}`
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'false' },
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  try {
    await waitUntilUp(endpoint, child, () => stderr)
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
  return {
    endpoint,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' })
      if (!res.ok) throw new Error(`moto reset failed: ${res.status}`)
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 3000).unref()
      }),
  }
}

/** Static credentials moto accepts; any non-empty pair works. */
export const MOTO_CREDENTIALS = { accessKeyId: 'AKIAMOTOTESTKEY00001', secretAccessKey: 'moto-secret' }
