#!/usr/bin/env node
// Run one TypeScript file with tsx's loader (used by `npm run bench`): node bin/run-ts.js file.ts [args]
import { pathToFileURL } from 'node:url'
import { register } from 'tsx/esm/api'

register()
const [file, ...args] = process.argv.slice(2)
if (!file) {
  console.error('usage: node bin/run-ts.js <file.ts> [args...]')
  process.exit(2)
}
process.argv = [process.argv[0], file, ...args]
await import(pathToFileURL(file).href)
