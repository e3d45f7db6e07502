import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import { type AppOptions, createApp } from './app.ts'
import type { ServerConfig } from './config.ts'
import { type ContextOptions, createServerContext, type ServerContext } from './context.ts'

/** Where `vite build` puts the editor. */
export const UI_DIST = fileURLToPath(new URL('../ui/dist', import.meta.url))

export interface RunningServer {
  url: string
  ctx: ServerContext
  /** Stop accepting requests, let runs finish (up to `graceMs`), flush writes, close the database. */
  close(graceMs?: number): Promise<void>
}

/** Boot: open and migrate the database, fail runs a dead process left behind, listen. */
export async function startServer(
  config: ServerConfig,
  options: Omit<ContextOptions, 'config'> & { app?: AppOptions } = {}
): Promise<RunningServer> {
  const ctx = await createServerContext({ failInterruptedRuns: true, uiDir: UI_DIST, ...options, config })
  const app = createApp(ctx, { corsOrigins: config.corsOrigins, ...options.app })
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(listening)
    )
    listening.once('error', reject)
  }).catch(async (err) => {
    await ctx.close(0)
    throw err
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}`,
    ctx,
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      const http = server as { closeIdleConnections?: () => void; closeAllConnections?: () => void }
      http.closeIdleConnections?.()
      // Runs finish (or are cancelled) first, so their event streams end on their own.
      await ctx.runService.stop(graceMs)
      http.closeAllConnections?.()
      await closed
      await ctx.close(0)
    },
  }
}
