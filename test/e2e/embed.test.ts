import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/browser.ts'
import { buildUi } from '../support/build-ui.ts'
import { startLiveServer } from '../support/live-server.ts'
import { serveStatic } from '../support/static-server.ts'

// examples/embed.html, a plain page on its own origin, embeds the editor from the real server:
// cross-origin module, bearer token, no cookies, no iframe, themed, and every documented event.

const TOKEN = 'embed-test-token-0123456789abcdef'

let browser: Browser
let page: Awaited<ReturnType<typeof serveStatic>>
let server: Awaited<ReturnType<typeof startLiveServer>>

beforeAll(async () => {
  await buildUi()
  page = await serveStatic(['examples'])
  // With an admin token configured the server requires a key on every request (no local bypass).
  server = await startLiveServer({ app: { corsOrigins: [page.url] }, env: { QFLOW_ADMIN_TOKEN: TOKEN } })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
  await page?.close()
})

describe('examples/embed.html', () => {
  it('loads the editor from the server, with a token and no cookies, and emits its events', async () => {
    const created = await fetch(`${server.url}/api/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        name: 'Embedded flow',
        nodes: [{ id: 'trigger', type: 'trigger', typeVersion: 1, config: {} }],
        edges: [],
      }),
    }).then((r) => r.json())
    const tab = await browser.newPage({ viewport: { width: 1300, height: 800 } })
    const apiRequests: { url: string; headers: Record<string, string> }[] = []
    tab.on('request', (r) => {
      if (r.url().startsWith(`${server.url}/api/`)) apiRequests.push({ url: r.url(), headers: r.headers() })
    })
    await tab.goto(
      `${page.url}/embed.html?api=${encodeURIComponent(server.url)}&flow=${created.flow.id}&token=${TOKEN}`
    )
    const names = () => tab.evaluate(() => (window as any).qflowEvents.map((e: any) => e.name) as string[])

    await expect.poll(names, { timeout: 15_000 }).toContain('qflow-load')

    const node = tab.locator('qflow-editor qflow-canvas [data-node-id=trigger]')
    await node.click()
    await expect.poll(names).toContain('qflow-node-select')
    await tab.keyboard.press('ArrowDown')
    await expect.poll(names).toContain('qflow-change')
    await tab.keyboard.press('Control+s')
    await expect.poll(names).toContain('qflow-save')
    await tab.locator('qflow-editor [data-action=run]').click()
    await expect.poll(names, { timeout: 15_000 }).toContain('qflow-run-finish')
    const events = await tab.evaluate(() => (window as any).qflowEvents)
    expect(events.find((e: any) => e.name === 'qflow-run-start').detail.flowId).toBe(created.flow.id)
    expect(events.find((e: any) => e.name === 'qflow-run-finish').detail.status).toBe('succeeded')
    expect(await tab.locator('#log li').count()).toBeGreaterThanOrEqual(6)

    // Every API call carried the token and no cookie; the editor sits in the page, not an iframe.
    expect(apiRequests.length).toBeGreaterThan(3)
    for (const request of apiRequests) {
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`)
      expect(request.headers.cookie).toBeUndefined()
    }
    expect(await tab.locator('iframe').count()).toBe(0)
    // The host page's --qflow-accent reaches the Run button inside the shadow roots.
    expect(
      await tab
        .locator('qflow-editor [data-action=run]')
        .evaluate((el) => getComputedStyle(el).backgroundColor)
    ).toBe('rgb(15, 118, 110)')
    const stored = await fetch(`${server.url}/api/flows/${created.flow.id}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    }).then((r) => r.json())
    expect(stored.version).toBe(2)
    await tab.close()
  })
})
