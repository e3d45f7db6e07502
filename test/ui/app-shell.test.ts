import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/browser.ts'
import { buildUi } from '../support/build-ui.ts'
import { startLiveServer } from '../support/live-server.ts'

// The app page itself: a clean console on load, and the API-key prompt alone until a key works.

const TOKEN = 'app-shell-admin-token-0123456789'

let browser: Browser
let page: Page

beforeAll(async () => {
  await buildUi()
  browser = await launchChromium()
})
afterAll(() => browser?.close())
beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1200, height: 700 } })
})
afterEach(() => page?.close())

/** Console errors and refused requests, as the page collects them. */
function watchProblems(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text())
  })
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`)
  })
  return problems
}

describe('app shell', () => {
  it('loads the list and an editor page without a console error or a failed request', async () => {
    const server = await startLiveServer()
    try {
      const problems = watchProblems(page)
      await page.goto(`${server.url}/`)
      await page.locator('qflow-app .empty').waitFor()
      await page.goto(`${server.url}/flows/new`)
      await page.locator('qflow-canvas [data-node-id]').first().waitFor()
      // The icon is inline, so nothing asks for /favicon.ico.
      expect(await page.locator('link[rel=icon]').getAttribute('href')).toMatch(/^data:image\/svg\+xml,/)
      expect(problems).toEqual([])
    } finally {
      await server.close()
    }
  })

  it('with keys on the server and none in the tab: the key prompt, no request refused, a clean console', async () => {
    const server = await startLiveServer({ env: { QFLOW_ADMIN_TOKEN: TOKEN } })
    try {
      const problems = watchProblems(page)
      for (const path of ['/', '/flows/some-flow']) {
        await page.goto(`${server.url}${path}`)
        await page.locator('qflow-app form.key input').waitFor()
        expect(await page.locator('qflow-editor').count()).toBe(0)
      }
      // The key opens the editor page it was asked on.
      const key = page.locator('qflow-app form.key input')
      await key.fill(TOKEN)
      await key.press('Enter')
      await page.locator('qflow-editor [data-load-failure]').waitFor()
      expect(await page.locator('qflow-editor [data-load-failure]').textContent()).toContain(
        'This flow does not exist'
      )
      // That 404 is the only refusal, and it was asked for.
      expect(problems.filter((p) => !p.includes('some-flow') && !p.includes('404'))).toEqual([])
    } finally {
      await server.close()
    }
  })

  it('shows only the key prompt until a key is accepted', async () => {
    const server = await startLiveServer({ env: { QFLOW_ADMIN_TOKEN: TOKEN } })
    try {
      await page.goto(`${server.url}/`)
      const key = page.locator('qflow-app form.key input')
      await key.waitFor()
      const app = page.locator('qflow-app')
      expect(await app.locator('.empty').count()).toBe(0)
      expect(await app.locator('table').count()).toBe(0)
      expect(await app.locator('[data-action=create]').count()).toBe(0)
      expect(await app.locator('form.key').textContent()).toContain('needs an API key')
      expect(await app.locator('[role=alert]').count()).toBe(0)

      await key.fill('not-the-key')
      await key.press('Enter')
      await expect.poll(() => app.locator('form.key [role=alert]').textContent()).toContain('was refused')
      expect(await app.locator('.empty').count()).toBe(0)

      await key.fill(TOKEN)
      await key.press('Enter')
      await expect.poll(() => app.locator('.empty').textContent()).toContain('No QFlows yet')
      expect(await app.locator('form.key').count()).toBe(0)
      expect(await app.locator('[data-action=create]').count()).toBe(1)

      // Two flows of the same name are told apart by their ids.
      for (const id of ['nightly-a', 'nightly-b'])
        await fetch(`${server.url}/api/flows`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({
            id,
            name: 'Nightly',
            nodes: [{ id: 't', type: 'trigger', typeVersion: 1, config: {} }],
            edges: [],
          }),
        })
      await page.reload()
      await expect
        .poll(() => app.locator('[data-flow-id]').allTextContents())
        .toEqual(expect.arrayContaining(['nightly-a', 'nightly-b']))

      // The stored key can be changed (or the change abandoned) and forgotten.
      const control = app.locator('[data-key-control]')
      expect(await control.textContent()).toContain(`••••${TOKEN.slice(-4)}`)
      await control.locator('[data-action=change-key]').click()
      await app.locator('[data-action=keep-key]').click()
      await app.locator('table').waitFor()
      await control.locator('[data-action=change-key]').click()
      await key.fill('not-the-key')
      await key.press('Enter')
      await expect.poll(() => app.locator('form.key [role=alert]').textContent()).toContain('was refused')
      // Checked before it is stored: the working key stays, and can be kept.
      expect(await page.evaluate(() => sessionStorage.getItem('qflow-api-key'))).toBe(TOKEN)
      await app.locator('[data-action=keep-key]').click()
      await app.locator('table').waitFor()
      await control.locator('[data-action=change-key]').click()
      expect(await app.locator('form.key [role=alert]').count()).toBe(0)
      await key.fill(TOKEN)
      await key.press('Enter')
      await app.locator('table').waitFor()
      await control.locator('[data-action=forget-key]').click()
      await key.waitFor()
      expect(await page.evaluate(() => sessionStorage.getItem('qflow-api-key'))).toBe(null)
      expect(await app.locator('table').count()).toBe(0)
    } finally {
      await server.close()
    }
  })

  it('asks for another key in the editor when a save is refused for a revoked key, keeping the edits', async () => {
    const server = await startLiveServer({ env: { QFLOW_ADMIN_TOKEN: TOKEN } })
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then((r) => r.json())
    try {
      const editorKey = await call('POST', '/api/keys', { name: 'editing', role: 'editor' })
      const created = await call('POST', '/api/flows', {
        id: 'kept-edits',
        name: 'Before',
        nodes: [{ id: 't', type: 'trigger', typeVersion: 1, config: {} }],
        edges: [],
      })
      expect(created.flow.id).toBe('kept-edits')
      await page.goto(`${server.url}/flows/kept-edits`)
      const key = page.locator('qflow-app form.key input')
      await key.fill(editorKey.key)
      await key.press('Enter')
      const editor = page.locator('qflow-editor')
      await editor.locator('qflow-canvas [data-node-id=t]').waitFor()
      await editor.locator('[data-action=details]').click()
      await page.locator('qflow-flow-details [data-field=name]').fill('After')
      await page.locator('qflow-flow-details [data-action=apply]').click()

      await call('DELETE', `/api/keys/${editorKey.id}`)
      await editor.locator('[data-action=save]').click()
      const retry = page.locator('qflow-key-retry form')
      await retry.waitFor()
      expect(await editor.locator('.dirty').count()).toBe(1)
      await retry.locator('input').fill('not-the-key')
      await retry.locator('input').press('Enter')
      await expect.poll(() => retry.locator('[role=alert]').textContent()).toContain('was refused')
      await retry.locator('input').fill(TOKEN)
      await retry.locator('input').press('Enter')
      await expect.poll(() => editor.locator('.dirty').count()).toBe(0)
      expect((await call('GET', '/api/flows/kept-edits')).flow.name).toBe('After')
      expect(await page.locator('qflow-key-retry').count()).toBe(0)
      expect(await page.evaluate(() => sessionStorage.getItem('qflow-api-key'))).toBe(TOKEN)
    } finally {
      await server.close()
    }
  })
})
