/**
 * `npm run bench [-- area...]`: runs `test/bench/<area>.ts` modules, each exporting `bench()`.
 * Minimal runner; areas register themselves by adding a line to AREAS.
 */
const AREAS: Record<string, () => Promise<{ bench(): Promise<void> }>> = {
  plugins: () => import('./plugins.ts'),
}

const asked = process.argv.slice(2)
for (const name of asked.length > 0 ? asked : Object.keys(AREAS)) {
  const load = AREAS[name]
  if (!load) {
    console.error(`unknown bench "${name}" (have: ${Object.keys(AREAS).join(', ')})`)
    process.exitCode = 2
    continue
  }
  await (await load()).bench()
}

export {}
