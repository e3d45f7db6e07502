/**
 * `npm run bench [-- name...]`: runs every `test/bench/<area>.ts` (each exports `bench()` that
 * prints its figures), or only the areas named. One after another, so figures do not disturb
 * each other.
 */
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const available = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
  .map((file) => file.slice(0, -3))
  .sort()
const wanted = process.argv.slice(2)
const unknown = wanted.filter((name) => !available.includes(name))
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.join(', ')}; available: ${available.join(', ')}`)
  process.exit(2)
}
for (const name of wanted.length > 0 ? wanted : available) {
  console.log(`\n## ${name}`)
  const module = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { bench(): Promise<void> }
  await module.bench()
}
