import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A moto AWS emulator on a free loopback port, stopped by `close`. */
export async function startMoto(): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort()
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (chunk) => {
    stderr += String(chunk)
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `moto did not start (is moto 5 installed? pip install 'moto[server]'): ${stderr.slice(-500)}`
      )
    }
    const ready = await fetch(`${url}/moto-api/`).then(
      (response) => response.ok,
      () => false
    )
    if (ready) break
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error('moto did not answer within 20 s')
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
