#!/usr/bin/env node
// qflow's command line. The server is TypeScript run by tsx (no build step): register its loader,
// then hand over to the real entry point.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../server/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
