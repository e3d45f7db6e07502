import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRegistry } from '../../core/plugin/registry.ts'
import { launchChromium } from '../support/browser.ts'
import { buildUi } from '../support/build-ui.ts'
import { startLiveServer } from '../support/live-server.ts'
import { builtinAndTestPlugins } from '../support/plugins.ts'
import { chainFlow } from '../support/runtime-server.ts'
import { http } from '../support/serve-process.ts'

// The editor in Chromium following a run while its server restarts: the status bar says the
// connection is lost until the stream is back, and the retries back off instead of filling the
// console with refused requests.

let browser: Browser
const dir = mkdtempSync(join(tmpdir(), 'qflow-reconnect-'))

beforeAll(async () => {
  await buildUi()
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  rmSync(dir, { recursive: true, force: true })
})

const serve = (port = 0) =>
  startLiveServer({ dir, registry: createRegistry(builtinAndTestPlugins), env: { PORT: String(port) } })

describe('a run followed across a server restart', () => {
  it('says the connection is lost, backs off between tries, and follows the run again once the server is back', async () => {
    const first = await serve()
    const port = Number(new URL(first.url).port)
    await http(first.url, 'POST', '/api/flows', { body: chainFlow('f1', {}, [['test-wait', { ms: 1500 }]]) })
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } })
    const refused: number[] = []
    const started = Date.now()
    page.on('console', (message) => {
      if (message.type() === 'error' && /ERR_CONNECTION_REFUSED/.test(message.text()))
        refused.push(Date.now() - started)
    })
    let second: Awaited<ReturnType<typeof serve>> | undefined
    try {
      await page.goto(`${first.url}/flows/f1`)
      const statusbar = page.locator('qflow-editor .statusbar')
      const lost = statusbar.locator('[data-connection=lost]')
      const card = page.locator('qflow-canvas [data-node-id="n1"]')
      await card.waitFor()
      await page.locator('qflow-editor [data-action=run]').click()
      await expect.poll(() => card.getAttribute('data-status')).toBe('running')
      // The badge says the run is running; nothing says it again.
      expect(await statusbar.textContent()).not.toMatch(/running\W+running/i)

      await first.close(0)
      await expect.poll(() => lost.count()).toBe(1)
      expect(await lost.textContent()).toBe('Connection lost, reconnecting…')
      const down = Date.now() - started
      await page.waitForTimeout(5000)
      // At 1 s, 2 s, 4 s... : a handful of tries in 5 s, not one or two every 800 ms.
      expect(refused.filter((at) => at >= down).length).toBeLessThanOrEqual(4)
      expect(await lost.count()).toBe(1)

      second = await serve(port)
      // Back within the longest pause (the next try is at most 10 s away), and the run goes on.
      await expect.poll(() => lost.count(), { timeout: 12_000 }).toBe(0)
      await expect.poll(() => card.getAttribute('data-status'), { timeout: 10_000 }).toBe('succeeded')
      expect(await statusbar.locator('[data-run-status]').textContent()).toBe('succeeded')
    } finally {
      await page.close()
      await second?.close()
      await first.close().catch(() => {})
    }
  }, 40_000)
})
