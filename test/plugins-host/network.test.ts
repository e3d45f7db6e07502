import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRegistry } from '../../core/plugin/registry.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import { loadConfig } from '../../server/config.ts'
import { DEFAULT_LIMITS, pluginSettingsFromEnv } from '../../server/plugins/settings.ts'
import { type RunningServer, startServer } from '../../server/server.ts'
import {
  emitItems,
  fixture,
  type LoadedHost,
  loadTestHost,
  pluginRunner,
  pluginStep,
  repoRoot,
  testSettings,
} from '../support/plugin-host.ts'
import { startWebhookReceiver } from '../support/webhook.ts'

/**
 * The fixture declares public-looking names; the settings' test-only resolver answers them with
 * loopback, the way a hostile DNS server (or a rebinding one) would. The connection must be refused
 * where the socket connects, naming the host and the address, and the receiver must see nothing.
 */
const REBIND_ANSWERS = {
  'api.rebind-example.com': ['127.0.0.1'],
  'mapped.rebind-example.com': ['::ffff:127.0.0.1'],
}
const rebind = { source: fixture('hostile-plugins/rebind'), hosts: [] }
const LIMITS = { memoryMb: 64, timeoutMs: 5000, maxWorkers: 1 }

async function listen(server: Server, where: number | string): Promise<void> {
  await new Promise<void>((resolve) =>
    typeof where === 'number' ? server.listen(where, '127.0.0.1', resolve) : server.listen(where, resolve)
  )
}

async function loadRebind(
  options: { allowPrivateNetwork?: boolean; hosts?: string[]; serverPorts?: number[] } = {}
) {
  const settings = await testSettings({
    resolveOverrides: REBIND_ANSWERS,
    allowPrivateNetwork: options.allowPrivateNetwork ?? false,
    ...(options.serverPorts ? { serverPorts: options.serverPorts } : {}),
  })
  const loaded = await loadTestHost([{ ...rebind, hosts: options.hosts ?? [] }], { limits: LIMITS, settings })
  return {
    loaded,
    async close() {
      await loaded.host.close()
      await settings.cleanup()
    },
  }
}

describe('a plugin cannot reach internal addresses through names it declares', () => {
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>
  let host: Awaited<ReturnType<typeof loadRebind>>
  let loaded: LoadedHost
  let port: number

  beforeAll(async () => {
    hook = await startWebhookReceiver()
    port = Number(new URL(hook.url).port)
    // The operator granted 127.0.0.1 (where the test servers listen), not the rebinding names.
    host = await loadRebind({ hosts: ['127.0.0.1'] })
    loaded = host.loaded
  })
  afterAll(async () => {
    await host?.close()
    await hook?.close()
  })

  it('refuses a declared name that resolves to loopback, naming the host and the address', async () => {
    const step = pluginStep(
      await loaded.run('hostile-rebind', { url: `http://api.rebind-example.com:${port}/` })
    )
    expect(step.status).toBe('failed')
    expect(step.error?.code).toBe('PLUGIN_DENIED')
    expect(step.error?.message).toBe(
      'plugin "hostile-rebind": the plugin may not connect to "api.rebind-example.com" at 127.0.0.1: ' +
        '127.0.0.1 is a loopback address; a manifest declaring it is not enough: internal addresses are ' +
        'reachable only when the operator granted the host (qflow plugin install --allow-host) or set ' +
        'QFLOW_PLUGIN_ALLOW_PRIVATE_NETWORK=1'
    )
    expect(hook.received).toEqual([])
  })

  it('sees through the IPv4-mapped IPv6 form of loopback', async () => {
    const step = pluginStep(
      await loaded.run('hostile-rebind', { url: `http://mapped.rebind-example.com:${port}/` })
    )
    expect(step.error?.code).toBe('PLUGIN_DENIED')
    expect(step.error?.message).toContain(
      '"mapped.rebind-example.com" at ::ffff:127.0.0.1: ::ffff:127.0.0.1 is a loopback, as IPv4 inside IPv6 address'
    )
    expect(hook.received).toEqual([])
  })

  it('lets 127.0.0.1 through when the operator granted it', async () => {
    const step = pluginStep(await loaded.run('hostile-rebind', { url: `${hook.url}/literal` }))
    expect(step.status).toBe('succeeded')
    expect(hook.received.map((hit) => hit.path)).toEqual(['/literal'])
    hook.received.length = 0
  })

  it('checks each redirect the same way: a hop to a name resolving to loopback is refused', async () => {
    const redirector = createServer((_req, res) => {
      res.writeHead(302, { location: `http://api.rebind-example.com:${port}/after-redirect` }).end()
    })
    await listen(redirector, 0)
    try {
      const from = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/`
      const step = pluginStep(await loaded.run('hostile-rebind', { url: from }))
      expect(step.error?.code).toBe('PLUGIN_DENIED')
      expect(step.error?.message).toContain('"api.rebind-example.com" at 127.0.0.1')
      expect(hook.received).toEqual([])
    } finally {
      await new Promise((resolve) => redirector.close(resolve))
    }
  })

  it("holds code that skips fetch and uses undici's dispatcher to the same hosts", async () => {
    const step = pluginStep(
      await loaded.run('hostile-rebind', {
        via: 'dispatcher',
        warmUrl: `${hook.url}/warm`,
        url: `http://localhost:${port}/stolen`,
      })
    )
    expect(step.error?.code).toBe('PLUGIN_DENIED')
    expect(step.error?.message).toBe(
      `plugin "hostile-rebind": the plugin may not connect to "localhost:${port}": its manifest declares only these hosts: api.rebind-example.com, mapped.rebind-example.com, 127.0.0.1`
    )
    expect(hook.received.map((hit) => hit.path)).toEqual(['/warm'])
    hook.received.length = 0
  })

  it('refuses a dispatcher aimed at a local socket (the Docker socket, say)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qflow-socket-'))
    const hits: string[] = []
    const local = createServer((req, res) => {
      hits.push(req.url ?? '')
      res.end('root')
    })
    const socketPath = join(dir, 'api.sock')
    await listen(local, socketPath)
    try {
      const step = pluginStep(
        await loaded.run('hostile-rebind', {
          via: 'unix-socket',
          warmUrl: `${hook.url}/warm`,
          url: 'http://127.0.0.1/containers/json',
          socketPath,
        })
      )
      expect(step.error?.code).toBe('PLUGIN_DENIED')
      expect(step.error?.message).toBe(
        `plugin "hostile-rebind": the plugin may not connect to the local socket ${socketPath}`
      )
      expect(hits).toEqual([])
    } finally {
      await new Promise((resolve) => local.close(resolve))
      await rm(dir, { recursive: true, force: true })
      hook.received.length = 0
    }
  })
})

describe('a manifest alone never opens internal addresses', () => {
  it('refuses 127.0.0.1 that only the manifest declares (qflow itself may listen there)', async () => {
    const hook = await startWebhookReceiver()
    const host = await loadRebind()
    try {
      const step = pluginStep(await host.loaded.run('hostile-rebind', { url: `${hook.url}/declared` }))
      expect(step.error?.code).toBe('PLUGIN_DENIED')
      expect(step.error?.message).toBe(
        'plugin "hostile-rebind": the plugin may not connect to "127.0.0.1": 127.0.0.1 is a loopback address; ' +
          'a manifest declaring it is not enough: internal addresses are reachable only when the operator ' +
          'granted the host (qflow plugin install --allow-host) or set QFLOW_PLUGIN_ALLOW_PRIVATE_NETWORK=1'
      )
      expect(hook.received).toEqual([])
    } finally {
      await host.close()
      await hook.close()
    }
  })
})

describe("no plugin ever reaches qflow's own server", () => {
  let server: RunningServer
  let settings: Awaited<ReturnType<typeof testSettings>>
  let run: LoadedHost['run']
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qflow-self-'))
    // Everything the operator can open is open: loopback granted by name and by address, and all
    // internal addresses. The server's own port must stay closed regardless.
    settings = await testSettings({
      allowPrivateNetwork: true,
      limits: { ...DEFAULT_LIMITS, ...LIMITS },
      entries: [{ ...rebind, hosts: ['127.0.0.1', 'localhost'] }],
    })
    const registry = createRegistry([...builtinPlugins, emitItems])
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      QFLOW_DB_URL: `file:${join(dir, 'qflow.db')}`,
      QFLOW_LOG_LEVEL: 'silent',
    })
    server = await startServer(config, { registry, plugins: settings })
    run = pluginRunner(registry)
  })
  afterAll(async () => {
    await server?.close(0)
    await settings?.cleanup()
    await rm(dir, { recursive: true, force: true })
  })

  it.each([
    ['127.0.0.1', (port: string) => `127.0.0.1:${port}`],
    ['localhost', (port: string) => `"localhost" at 127.0.0.1:${port}`],
  ])('refuses its port on %s, saying it is qflow itself', async (name, shown) => {
    const port = new URL(server.url).port
    // In keyless single-user mode this would be an admin request; check it would have worked.
    expect((await fetch(`${server.url}/api/flows`)).status).toBe(200)
    const step = pluginStep(await run('hostile-rebind', { url: `http://${name}:${port}/api/flows` }))
    expect(step.error?.code).toBe('PLUGIN_DENIED')
    expect(step.error?.message).toBe(
      `plugin "hostile-rebind": the plugin may not connect to ${shown(port)}: that is qflow's own server, which plugins may never call, whatever hosts they were granted`
    )
  })
})

describe('the ports of other qflow processes on this machine are closed too', () => {
  it('PORT and QFLOW_PROTECTED_PORTS are refused even where loopback is granted', async () => {
    // Another qflow server (here a stand-in) on this machine: a `qflow run` in a shell beside it,
    // or a second process sharing the database, must not let plugins call it.
    const other = await startWebhookReceiver()
    const port = new URL(other.url).port
    const fromEnv = await pluginSettingsFromEnv({ QFLOW_PROTECTED_PORTS: port }, repoRoot)
    const host = await loadRebind({
      allowPrivateNetwork: true,
      hosts: ['127.0.0.1'],
      serverPorts: fromEnv.serverPorts ?? [],
    })
    try {
      const step = pluginStep(await host.loaded.run('hostile-rebind', { url: `${other.url}/api/flows` }))
      expect(step.error?.code).toBe('PLUGIN_DENIED')
      expect(step.error?.message).toContain("that is qflow's own server")
      expect(other.received).toEqual([])
    } finally {
      await host.close()
      await other.close()
    }
  })

  it('reads them from the environment, PORT (8787 by default) first', async () => {
    expect((await pluginSettingsFromEnv({}, repoRoot)).serverPorts).toEqual([8787])
    expect(
      (await pluginSettingsFromEnv({ PORT: '9000', QFLOW_PROTECTED_PORTS: '9001, 9000,9002' }, repoRoot))
        .serverPorts
    ).toEqual([9000, 9001, 9002])
    await expect(pluginSettingsFromEnv({ QFLOW_PROTECTED_PORTS: '9001,web' }, repoRoot)).rejects.toThrow(
      'QFLOW_PROTECTED_PORTS: a port number, got "web"'
    )
    await expect(pluginSettingsFromEnv({ QFLOW_PROTECTED_PORTS: '70000' }, repoRoot)).rejects.toThrow(
      'QFLOW_PROTECTED_PORTS: a port number from 0 to 65535, got "70000"'
    )
  })
})

describe('the operator can open internal addresses to plugins', () => {
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>
  beforeAll(async () => {
    hook = await startWebhookReceiver()
  })
  afterAll(() => hook?.close())

  it('for every host, with QFLOW_PLUGIN_ALLOW_PRIVATE_NETWORK', async () => {
    const host = await loadRebind({ allowPrivateNetwork: true })
    try {
      const port = new URL(hook.url).port
      const step = pluginStep(
        await host.loaded.run('hostile-rebind', { url: `http://api.rebind-example.com:${port}/allowed` })
      )
      expect(step.status).toBe('succeeded')
      expect(hook.received.map((hit) => hit.path)).toEqual(['/allowed'])
    } finally {
      await host.close()
      hook.received.length = 0
    }
  })

  it('for one host, by granting it at install (--allow-host)', async () => {
    const host = await loadRebind({ hosts: ['api.rebind-example.com'] })
    try {
      const port = new URL(hook.url).port
      const granted = pluginStep(
        await host.loaded.run('hostile-rebind', { url: `http://api.rebind-example.com:${port}/granted` })
      )
      expect(granted.status).toBe('succeeded')
      const other = pluginStep(
        await host.loaded.run('hostile-rebind', { url: `http://mapped.rebind-example.com:${port}/other` })
      )
      expect(other.error?.code).toBe('PLUGIN_DENIED')
      expect(hook.received.map((hit) => hit.path)).toEqual(['/granted'])
    } finally {
      await host.close()
      hook.received.length = 0
    }
  })
})
