import { Hono, type MiddlewareHandler } from 'hono'
import { requireAccess } from './auth/middleware.ts'
import type { ServerContext } from './context.ts'
import { limitBody } from './http/body-limit.ts'
import { identityEncoding } from './http/content-encoding.ts'
import { errorHandler, errorResponse, notFoundHandler } from './http/errors.ts'
import { notFoundOrNotAllowed } from './http/method-not-allowed.ts'
import { logsAt } from './log.ts'
import { corsMiddleware } from './middleware/cors.ts'
import { accountRoutes } from './routes/accounts.ts'
import { controlRoutes } from './routes/controls.ts'
import { flowRoutes } from './routes/flows.ts'
import { healthRoutes } from './routes/health.ts'
import { keyRoutes } from './routes/keys.ts'
import { nodeTypeRoutes } from './routes/node-types.ts'
import { pluginRoutes } from './routes/plugins.ts'
import { qflowApiRoutes } from './routes/qflowapi.ts'
import { runRoutes } from './routes/runs.ts'
import { triggerRoutes } from './routes/triggers.ts'
import { uiRoutes } from './routes/ui.ts'

/** A group of API routes, mounted under `/api`. Paths inside are relative (`/flows`, not `/api/flows`). */
export type RouteGroup = (ctx: ServerContext) => Hono

/**
 * Every API route group, one line each. Add yours here (accounts, plugins, keys...); it inherits
 * the body limit, the error shape and whatever `apiMiddleware` wraps the API with (auth). Each
 * route declares its query string with `acceptsQuery(schema)` or `noQuery` (http/query.ts), so an
 * unknown parameter is refused; test/server/query-params.test.ts checks every route does.
 */
export const apiRouteGroups: RouteGroup[] = [
  flowRoutes,
  runRoutes,
  controlRoutes,
  nodeTypeRoutes,
  keyRoutes,
  triggerRoutes,
  pluginRoutes,
  accountRoutes,
]

export interface AppOptions {
  /** Runs before every `/api/*` route, in order: authentication goes here. */
  apiMiddleware?: MiddlewareHandler[]
  /** Origins allowed cross-origin to the API and the editor bundle (QFLOW_CORS_ORIGINS). */
  corsOrigins?: string[]
  /** Extra route groups for `/api`, e.g. from a test or an optional feature. */
  routeGroups?: RouteGroup[]
}

/**
 * The HTTP app: `/healthz`, the REST API under `/api`, the public QFlow API's routes under
 * `/qflowapi/v1`, and the built editor at `/`. Both APIs need a key (see `auth/`); health and the
 * editor's files do not.
 */
export function createApp(ctx: ServerContext, options: AppOptions = {}) {
  const app = new Hono()
  app.onError(errorHandler(ctx.log))
  app.notFound(notFoundOrNotAllowed(app, notFoundHandler))
  // The access log is a debug aid: without debug logging it is not installed at all.
  if (logsAt(ctx.log, 'debug')) {
    app.use(async (c, next) => {
      const started = performance.now()
      await next()
      ctx.log(
        'debug',
        `${c.req.method} ${c.req.path} ${c.res.status} ${(performance.now() - started).toFixed(1)}ms`
      )
    })
  }
  if (options.corsOrigins?.length) {
    // First, so preflights are answered before any auth; /embed/* because module scripts need CORS too.
    const cors = corsMiddleware(options.corsOrigins)
    app.use('/api/*', cors)
    app.use('/embed/*', cors)
  }
  app.route('/', healthRoutes(ctx))

  const limit = limitBody(ctx.config.bodyLimit, (c) =>
    errorResponse(
      c,
      413,
      'BODY_TOO_LARGE',
      `the request body is over the limit of ${ctx.config.bodyLimit} bytes (QFLOW_BODY_LIMIT sets it)`,
      {
        limit: ctx.config.bodyLimit,
      }
    )
  )
  const access = requireAccess({
    settings: ctx.settings.auth,
    keys: ctx.keys,
    replay: ctx.replay,
    flowOfRun: async (runId) => (await ctx.runs.get(runId))?.flowId,
  })

  const api = new Hono()
  api.use(limit, identityEncoding, access)
  for (const middleware of options.apiMiddleware ?? []) api.use(middleware)
  for (const group of [...apiRouteGroups, ...(options.routeGroups ?? [])]) api.route('/', group(ctx))
  app.route('/api', api)

  const compat = new Hono()
  compat.use(limit, identityEncoding, access)
  compat.route('/', qflowApiRoutes(ctx))
  app.route('/qflowapi/v1', compat)

  app.route('/', uiRoutes(ctx))
  return app
}
