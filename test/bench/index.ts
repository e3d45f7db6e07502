/**
 * `npm run bench [-- name ...]`: runs every bench module in this folder (or the ones named),
 * each printing its own figures. A module is `test/bench/<name>.ts` exporting `bench()`.
 */
import { readdirSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

// As bin/qflow.js does: the lockfile pins SDK versions that support Node 20, so the SDK's reminder
// about Node 22 is noise in the figures.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const HELPERS = new Set(['index', 'stats', 'http-load'])
const here = dirname(fileURLToPath(import.meta.url))
const available = readdirSync(here)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => basename(file, '.ts'))
  .filter((name) => !HELPERS.has(name))
  .sort()

const asked = process.argv.slice(2)
const unknown = asked.filter((name) => !available.includes(name))
if (unknown.length > 0) {
  console.error(`no bench module named ${unknown.join(', ')}; available: ${available.join(', ')}`)
  process.exit(2)
}

for (const name of asked.length > 0 ? asked : available) {
  console.log(`\n== ${name}`)
  const module = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as {
    bench: () => Promise<void>
  }
  await module.bench()
}
