import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

let bundle: Promise<string> | undefined

/**
 * Core's expression resolver as one self-contained ES module (base64), for `ctx.resolve` inside
 * plugin workers. The sandbox runs plain JavaScript only, so the host strips types once and sends the
 * result; the worker imports it from a `data:` URL. One implementation, no copy in the worker.
 */
export function coreBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [fileURLToPath(new URL('../../core/flow/expressions.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'silent',
  }).then((result) => Buffer.from(result.outputFiles[0]!.contents).toString('base64'))
  return bundle
}
