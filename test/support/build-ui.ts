import { build } from 'vite'

let built: Promise<void> | undefined

/** Builds the editor bundle once per test process (vite's own API, same config as `npm run build:ui`). */
export function buildUi(): Promise<void> {
  built ??= build({ logLevel: 'warn' }).then(() => undefined)
  return built
}
