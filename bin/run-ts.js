#!/usr/bin/env node
// Run a TypeScript entry point with tsx's loader (no build step): `node bin/run-ts.js file.ts args...`.
// The script sees itself as argv[1], as if Node had run it directly.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { register } from 'tsx/esm/api'

register()
const script = process.argv[2]
if (!script) {
  console.error('usage: node bin/run-ts.js <file.ts> [args...]')
  process.exit(2)
}
process.argv.splice(1, 1)
await import(pathToFileURL(resolve(script)).href)
