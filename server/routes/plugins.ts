import { Hono } from 'hono'
import { noQuery } from '../http/query.ts'
import type { PluginHost } from '../plugins/host.ts'

/**
 * Installed community plugins: each with its status (`loaded` or `failed` with the reason), version,
 * API version, node types and the hosts it may reach. A route group: mounted under `/api`.
 */
export function pluginRoutes(ctx: { plugins?: PluginHost }) {
  return new Hono().get('/plugins', noQuery, (c) => c.json({ items: ctx.plugins?.list() ?? [] }))
}
