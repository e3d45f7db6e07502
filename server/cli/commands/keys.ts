import { parseArgs } from 'node:util'
import { ROLES, type Role } from '../../auth/roles.ts'
import { loadConfig, type ServerConfig } from '../../config.ts'
import { AppError } from '../../errors.ts'
import { type CliCommand, EXIT, UsageError } from '../command.ts'

/** Opens the database (migrated) and hands the key store to `use`. */
async function withKeys<T>(
  env: Record<string, string | undefined>,
  use: (keys: import('../../auth/keys.ts').KeyStore, config: ServerConfig) => Promise<T>
): Promise<T> {
  const config = loadConfig(env)
  const { openDatabase } = await import('../../db/client.ts')
  const { migrateDatabase } = await import('../../db/migrate.ts')
  const { createKeyStore } = await import('../../auth/keys.ts')
  const database = await openDatabase(config.db)
  try {
    await migrateDatabase(database)
    return await use(createKeyStore(database.db), config)
  } finally {
    database.close()
  }
}

/**
 * `qflow keys create|list|revoke`: manage API keys from the machine that holds the database, e.g.
 * to create the first admin key before binding the server to a public address.
 */
export const keysCommand: CliCommand = {
  summary: 'create, list or revoke API keys (qflow keys create --name ci --role runner [--flow ID ...])',
  usage:
    'keys create --name NAME --role admin|editor|runner|viewer [--flow ID ...] | keys list | keys revoke ID [--force]',
  async run(args, io) {
    const [action, ...rest] = args
    let parsed: ReturnType<typeof parse>
    try {
      parsed = parse(rest)
    } catch (err) {
      throw new UsageError((err as Error).message)
    }
    if (action === 'create') {
      const { name, role, flow } = parsed.values
      if (!name) throw new UsageError('--name: name the key after who uses it')
      if (!role || !ROLES.includes(role as Role)) throw new UsageError(`--role: one of ${ROLES.join(', ')}`)
      const { key, info } = await withKeys(io.env, async (keys, config) => {
        // As on the API: the first key ends keyless single-user mode, so unless it is an admin key
        // (or an admin token is configured) nobody could open the editor or manage keys after.
        if (role !== 'admin' && !config.auth.adminToken && (await keys.countActive()) === 0)
          throw new UsageError(
            '--role: the first key must be an admin key (it ends keyless single-user mode, and nobody ' +
              'would be left to manage keys); run: qflow keys create --name admin --role admin'
          )
        return keys.create({ name, role: role as Role, ...(flow ? { flowIds: flow } : {}) })
      })
      io.out(key)
      io.err(
        `created key ${info.id} (${info.role}${info.flowIds ? `, flows ${info.flowIds.join(', ')}` : ''}); it is not shown again`
      )
      return EXIT.ok
    }
    if (action === 'list') {
      const items = await withKeys(io.env, (keys) => keys.list())
      for (const item of items) {
        io.out(
          `${item.id}  ${item.prefix}…  ${item.role.padEnd(6)}  ${item.name}${item.flowIds ? `  flows: ${item.flowIds.join(',')}` : ''}`
        )
      }
      return EXIT.ok
    }
    if (action === 'revoke') {
      const id = parsed.positionals[0]
      if (!id) throw new UsageError('revoke: give the key id (see qflow keys list)')
      // As on the API, unless --force: run on this machine, it may also end with no admin key.
      const revoked = await withKeys(io.env, async (keys, config) => {
        const keepAnAdmin = !parsed.values.force && !config.auth.adminToken && config.auth.mode !== 'local'
        try {
          return await keys.revoke(id, { keepAnAdmin })
        } catch (err) {
          if (err instanceof AppError) throw new UsageError(`${err.message} (or revoke with --force)`)
          throw err
        }
      })
      if (!revoked) {
        io.err(`qflow keys: no key with id "${id}"`)
        return EXIT.usage
      }
      io.out(`revoked ${id}`)
      return EXIT.ok
    }
    throw new UsageError('keys create | keys list | keys revoke ID')
  },
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      role: { type: 'string' },
      force: { type: 'boolean' },
      flow: { type: 'string', multiple: true },
    },
  })
}
