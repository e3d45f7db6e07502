import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/browser.ts'
import { buildUi } from '../support/build-ui.ts'
import { startLiveServer } from '../support/live-server.ts'

// The product guide's sample QFlow (publicly accessible RDS instances), built from scratch through
// the UI only, against the real server with its built-in plugins and the demo account (a recorded
// estate; the verdicts below are the ones examples/demo-estate/README.md documents).

const EXPOSED = [
  'crm-oracle',
  'eu-shop-aurora-1',
  'eu-shop-aurora-2',
  'eu-shop-pg',
  'hr-sqlserver',
  'legacy-mysql-56',
  'reporting-mysql',
  'staging-mariadb',
]

let browser: Browser
let server: Awaited<ReturnType<typeof startLiveServer>>
let page: Page
let flowId = ''

beforeAll(async () => {
  await buildUi()
  server = await startLiveServer()
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const editor = () => page.locator('qflow-editor')
const node = (id: string) => page.locator(`qflow-canvas [data-node-id="${id}"]`)
const dialog = () => page.locator('qflow-node-dialog')
const field = (path: string) => dialog().locator(`qflow-schema-form [data-field="${path}"]`)

async function pick(picker: ReturnType<Page['locator']>, values: string[]) {
  await picker.locator('button.control').click()
  for (const value of values) await picker.locator(`li[data-value="${value}"]`).click()
  // A multiple choice stays open until dismissed; a single one closes on choosing.
  if (await picker.locator('.panel').count()) await page.keyboard.press('Escape')
}

async function addAfter(nodeId: string, tab: string, type: string) {
  await node(nodeId).hover()
  await node(nodeId).locator('.add-after').click()
  const palette = page.locator('qflow-node-palette')
  await palette.locator(`[role=tab]:text-is("${tab}")`).click()
  await palette.locator(`li[data-type="${type}"]`).click()
}

describe('the sample public-RDS QFlow, from scratch in the UI', () => {
  it('is built node by node from Explore Nodes and configured as the guide does', {
    timeout: 120_000,
  }, async () => {
    await page.goto(`${server.url}/`)
    await page.locator('[data-action=create]').click()
    await page.locator('[data-action=from-scratch]').click()
    await node('trigger').waitFor()

    // Step 1: basic details, with the demo account and two regions.
    await editor().locator('[data-action=details]').click()
    const details = page.locator('qflow-flow-details')
    await details.locator('[data-field=name]').fill('Publicly accessible RDS instances')
    await details.locator('[data-field=description]').fill('RDS DB instances reachable from the internet')
    await details.locator('[data-category=Security]').click()
    await pick(details.locator('qflow-option-picker[data-field=accounts]'), ['demo'])
    await pick(details.locator('qflow-option-picker[data-field=regions]'), ['eu-west-1', 'us-east-1'])
    await details.locator('[data-action=apply]').click()

    // Step 2: the trigger set to TotalCloud.
    await node('trigger').dblclick()
    await field('kind').locator('select').selectOption({ label: 'TotalCloud' })
    await dialog().locator('[data-action=save]').click()
    await expect.poll(() => node('trigger').locator('.summary').textContent()).toBe('TotalCloud connector')

    // Step 3: AWS Resource, RDS DB Instances with the Security Groups addon.
    await addAfter('trigger', 'AWS Nodes', 'aws-resource')
    await node('awsResource').dblclick()
    expect(await field('service').locator('qflow-option-picker button.control').textContent()).toContain(
      'RDS'
    )
    await pick(field('method').locator('qflow-option-picker'), ['DBInstances'])
    await pick(field('addons').locator('qflow-option-picker'), ['SecurityGroups'])
    await dialog().locator('[data-action=save]').click()
    await expect
      .poll(() => node('awsResource').locator('.summary').getAttribute('title'))
      .toBe('RDS · DB Instances · +Security Groups')

    // Step 4, as the guide does: add the control, run till the resource node to see the data it
    // will judge. The control has no criteria yet; that must not stop a run that ends before it.
    await addAfter('awsResource', 'General Nodes', 'totalcloud-control')
    await node('awsResource').locator('.menu-btn').click()
    await page.locator('qflow-canvas .node-menu [data-action=run-until]').click()
    // Not stored yet: the run asks to save it first, under the name given in step 1.
    const naming = page.locator('qflow-flow-details')
    await expect.poll(() => naming.locator('dialog').getAttribute('open')).toBe('')
    expect(await naming.locator('[data-field=name]').inputValue()).toBe('Publicly accessible RDS instances')
    await naming.locator('[data-action=apply]').click()
    await expect
      .poll(() => node('awsResource').getAttribute('data-status'), { timeout: 30_000 })
      .toBe('succeeded')

    // Step 5: TotalCloud Control with the Param and Security Group criteria, OR-ed; the evidence
    // keys picked from what the resource node returned.
    // The run has no step for the control: opening its dialog must not ask for one (no 404s).
    const missing: string[] = []
    page.on('response', (r) => {
      if (r.url().includes('/steps/') && r.status() >= 400) missing.push(`${r.status()} ${r.url()}`)
    })
    await node('totalcloudControl').dblclick()
    const criteria = dialog().locator('qflow-criteria-builder')
    await criteria.locator('[data-add=condition]').first().click()
    const param = criteria.locator('.row[data-path="0"]')
    await param.locator('[data-role=key]').fill('PubliclyAccessible')
    await param.locator('[data-role=key]').press('Tab')
    await param.locator('[data-role=operator]').selectOption('equals')
    await param.locator('[data-role=value]').fill('true')
    await param.locator('[data-role=value]').press('Tab')
    await criteria.locator('[data-op=OR]').first().click()
    await criteria.locator('[data-add=condition]').first().click()
    const group = criteria.locator('.row[data-path="1"]')
    await group.locator('[data-role=filter-type]').selectOption('securityGroup')
    await group.locator('[data-role=direction]').selectOption('inbound')
    await group.locator('[data-role=ports]').selectOption('any')
    await group.locator('[data-role=source]').selectOption('cidr')
    await group.locator('[data-role=cidr]').fill('0.0.0.0/0')
    await group.locator('[data-role=cidr]').press('Tab')
    await group.locator('[data-role=protocol]').selectOption('any')
    await field('resourceIdKey').locator('input').fill('DBInstanceIdentifier')
    await field('resourceIdKey').locator('input').press('Tab')
    await field('displayNameKey').locator('input').fill('DBName')
    await field('displayNameKey').locator('input').press('Tab')
    const keyList = field('evidenceKeys').locator('qflow-key-list')
    for (const key of ['PubliclyAccessible', 'SecurityGroups.IpPermissions'])
      await keyList.locator(`[data-suggest="${key}"]`).click()
    await dialog().locator('[data-action=save]').click()
    await expect.poll(() => node('totalcloudControl').locator('.summary').textContent()).toBe('2 conditions')
    expect(missing).toEqual([])

    await editor().locator('[data-action=save]').click()
    await expect.poll(() => page.url()).toMatch(/\/flows\/(?!new$)[\w-]+$/)
    flowId = page.url().split('/').pop()!
    const stored = await fetch(`${server.url}/api/flows/${flowId}`).then((r) => r.json())
    expect(stored.problems).toEqual([])
    expect(stored.flow).toMatchObject({
      name: 'Publicly accessible RDS instances',
      categories: ['Security'],
      accounts: ['demo'],
    })
    expect(stored.flow.nodes.map((n: any) => n.type)).toEqual([
      'trigger',
      'aws-resource',
      'totalcloud-control',
    ])
    expect(stored.flow.nodes[2].config.criteria).toMatchObject({
      op: 'OR',
      conditions: [
        { type: 'param', key: 'PubliclyAccessible', operator: 'equals', value: 'true' },
        { type: 'securityGroup', direction: 'inbound', source: { kind: 'cidr', cidr: '0.0.0.0/0' } },
      ],
    })
  })

  it('runs: every node turns green, and the control output names the exposed instances', {
    timeout: 90_000,
  }, async () => {
    await editor().locator('[data-action=run]').click()
    for (const id of ['trigger', 'awsResource', 'totalcloudControl'])
      await expect.poll(() => node(id).getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded')

    await node('totalcloudControl').locator('.menu-btn').click()
    await page.locator('qflow-canvas .node-menu [data-action=details]').click()
    const rows = page.locator('qflow-run-inspector table.results tbody tr')
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(16)
    const failing = await page
      .locator('qflow-run-inspector table.results tbody tr:has(.badge.FAIL)')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-resource')).sort())
    expect(failing).toEqual(EXPOSED)
    expect(
      await page.locator('qflow-run-inspector [data-resource="new-postgres-creating"] .badge').textContent()
    ).toBe('ERROR')
    expect(await page.locator('qflow-run-inspector [data-counts]').textContent()).toBe(
      '16 resources · 8 FAIL · 2 ERROR · 6 PASS'
    )
    expect(
      await page.locator('qflow-run-inspector [data-resource="eu-shop-pg"] td.why').textContent()
    ).not.toBe('-')

    mkdirSync('test-results', { recursive: true })
    await page.locator('qflow-run-inspector .close').click()
    await editor().locator('[data-action=fit]').click()
    await page.waitForTimeout(300)
    await page.screenshot({ path: 'test-results/public-rds-flow.png' })
  })

  it('runs till the resource node: the control does not run', { timeout: 60_000 }, async () => {
    await node('awsResource').locator('.menu-btn').click()
    await page.locator('qflow-canvas .node-menu [data-action=run-until]').click()
    await expect
      .poll(() => editor().locator('.statusbar [data-run-status]').textContent(), { timeout: 30_000 })
      .toBe('succeeded')
    expect(await node('awsResource').getAttribute('data-status')).toBe('succeeded')
    expect(await node('totalcloudControl').getAttribute('data-status')).toBeNull()
    const runs = await fetch(`${server.url}/api/flows/${flowId}/runs`).then((r) => r.json())
    expect(runs.items[0]).toMatchObject({ until: 'awsResource', status: 'succeeded' })
    // The history names the node by its label, and tells runs apart by the random end of their ids.
    await editor().locator('[data-action=history]').click()
    const latest = page.locator('qflow-run-history li').first()
    await expect.poll(() => latest.textContent()).toContain('till AWS Resource')
    const shown = await page
      .locator('qflow-run-history .run-id')
      .evaluateAll((spans) => spans.map((s) => s.textContent))
    expect(new Set(shown).size).toBe(shown.length)
  })

  it('asks for accounts and regions on the first save of a flow with AWS nodes, or saves a draft without', {
    timeout: 60_000,
  }, async () => {
    const associate = page.locator('qflow-associate-dialog dialog')
    const startNew = async () => {
      await page.goto(`${server.url}/flows/new`)
      await node('trigger').waitFor()
      await addAfter('trigger', 'AWS Nodes', 'aws-resource')
      await node('awsResource').waitFor()
    }
    await startNew()
    await editor().locator('[data-action=save]').click()
    await expect.poll(() => associate.getAttribute('open')).toBe('')
    await pick(associate.locator('qflow-option-picker[data-field=accounts]'), ['demo'])
    await pick(associate.locator('qflow-option-picker[data-field=regions]'), ['eu-west-1'])
    await associate.locator('[data-action=associate]').click()
    await expect.poll(() => page.url()).toMatch(/\/flows\/(?!new$)[\w-]+$/)
    const saved = await fetch(`${server.url}/api/flows/${page.url().split('/').pop()}`).then((r) => r.json())
    expect(saved.flow).toMatchObject({ accounts: ['demo'], regions: ['eu-west-1'] })
    expect(await editor().locator('.binding').textContent()).toBe('1 account · 1 region')

    // A draft may be saved without; Run till here then asks again, and says it saved first.
    await startNew()
    await editor().locator('[data-action=save]').click()
    await associate.locator('[data-action=save-without]').click()
    await expect.poll(() => page.url()).toMatch(/\/flows\/(?!new$)[\w-]+$/)
    const draft = await fetch(`${server.url}/api/flows/${page.url().split('/').pop()}`).then((r) => r.json())
    expect(draft.flow).toMatchObject({ accounts: [], regions: [] })
    await node('awsResource').locator('.menu-btn').click()
    await page.locator('qflow-canvas .node-menu [data-action=run-until]').click()
    await expect.poll(() => associate.getAttribute('open')).toBe('')
    expect(await associate.locator('[data-action=save-without]').count()).toBe(0)
    await pick(associate.locator('qflow-option-picker[data-field=accounts]'), ['demo'])
    await pick(associate.locator('qflow-option-picker[data-field=regions]'), ['us-east-1'])
    await associate.locator('[data-action=associate]').click()
    await expect
      .poll(() => editor().locator('.statusbar [data-message]').textContent())
      .toBe('Saved before this run')
    await expect
      .poll(() => node('awsResource').getAttribute('data-status'), { timeout: 30_000 })
      .toBe('succeeded')
  })
})
