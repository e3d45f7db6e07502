import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createAdaptorServer, type ServerType } from '@hono/node-server'
import { type AppOptions, createApp } from './app.ts'
import { AccessConfigError, checkBindingIsSafe } from './auth/access-mode.ts'
import { ConfigError, type ServerConfig } from './config.ts'
import { type ContextOptions, createServerContext, type ServerContext } from './context.ts'

/** Pending connections the kernel queues for us (capped by net.core.somaxconn). */
const LISTEN_BACKLOG = 4096

/** Where `vite build` puts the editor. */
export const UI_DIST = fileURLToPath(new URL('../ui/dist', import.meta.url))

export interface RunningServer {
  url: string
  ctx: ServerContext
  /** Stop accepting requests, let runs finish (up to `graceMs`), flush writes, close the database. */
  close(graceMs?: number): Promise<void>
}

/**
 * Boot: open and migrate the database, refuse to listen openly, start the queue worker (which takes
 * over runs a dead process left behind once their leases expire), arm deployed triggers, listen.
 */
export async function startServer(
  config: ServerConfig,
  options: Omit<ContextOptions, 'config'> & { app?: AppOptions } = {}
): Promise<RunningServer> {
  // Plugins may never call this server: its port is refused in their workers from the start (and,
  // when the port is chosen at listen time, from the moment it is known).
  const plugins = options.plugins && {
    ...options.plugins,
    serverPorts: [...(options.plugins.serverPorts ?? []), ...(config.port > 0 ? [config.port] : [])],
  }
  const ctx = await createServerContext({
    uiDir: UI_DIST,
    runtime: config,
    ...options,
    ...(plugins ? { plugins } : {}),
    config,
  })
  try {
    checkBindingIsSafe({ host: config.host, settings: config.auth, activeKeys: await ctx.keys.countActive() })
    await ctx.startBackground()
  } catch (err) {
    await ctx.close(0)
    throw err instanceof AccessConfigError ? new ConfigError(err.message) : err
  }
  const app = createApp(ctx, { corsOrigins: config.corsOrigins, ...options.app })
  const server = await new Promise<ServerType>((resolve, reject) => {
    const listening = createAdaptorServer({ fetch: app.fetch })
    listening.once('error', reject)
    // Node's default backlog (511) resets connections when a connector opens a thousand at once.
    listening.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () =>
      resolve(listening)
    )
  }).catch(async (err) => {
    await ctx.close(0)
    throw err
  })
  const address = server.address() as AddressInfo
  ctx.plugins?.protectServerPort(address.port)
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}`,
    ctx,
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      const http = server as { closeIdleConnections?: () => void; closeAllConnections?: () => void }
      http.closeIdleConnections?.()
      // Runs finish (or are handed back to the queue) first, then their event streams end with
      // their last event (run.finished or server-stopping) written, before any socket is cut.
      await ctx.stopRuns(graceMs)
      http.closeAllConnections?.()
      await closed
      await ctx.close(0)
    },
  }
}
