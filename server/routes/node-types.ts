import { Hono } from 'hono'
import type { ServerContext } from '../context.ts'
import { noQuery } from '../http/query.ts'

/** Installed node types: manifests with their config as JSON Schema, for the palette and forms. */
export function nodeTypeRoutes(ctx: ServerContext) {
  return new Hono().get('/node-types', noQuery, (c) => c.json({ items: ctx.registry.describe() }))
}
