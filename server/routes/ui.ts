import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import type { ServerContext } from '../context.ts'

/**
 * The built editor (`vite build` into `ui/dist`): its files as they are, e.g.
 * `/embed/qflow-editor.js`, and `index.html` for any other page path so the app shell can route.
 * Nothing is mounted when the folder does not exist (an API-only deployment).
 */
export function uiRoutes(ctx: ServerContext) {
  const app = new Hono()
  const dir = ctx.uiDir
  if (!dir || !existsSync(join(dir, 'index.html'))) return app
  app.use('/*', serveStatic({ root: dir }))
  app.get('/*', async (c, next) => {
    const path = c.req.path
    // Files (with an extension) and both APIs keep their JSON 404s; page paths get the shell.
    if (/^\/(api|qflowapi)(\/|$)/.test(path) || /\.[a-z0-9]+$/i.test(path)) return next()
    return serveStatic({ root: dir, path: 'index.html' })(c, next)
  })
  return app
}
