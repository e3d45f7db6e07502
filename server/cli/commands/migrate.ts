import { loadConfig } from '../../config.ts'
import { type CliCommand, EXIT } from '../command.ts'

export const migrateCommand: CliCommand = {
  summary: 'apply pending database migrations (the server also does this at boot)',
  usage: 'migrate',
  async run(_args, io) {
    const config = loadConfig(io.env)
    const { openDatabase } = await import('../../db/client.ts')
    const { migrateDatabase } = await import('../../db/migrate.ts')
    const database = await openDatabase(config.db)
    let applied: number
    try {
      applied = await migrateDatabase(database)
    } finally {
      database.close()
    }
    io.out(
      applied === 0
        ? `database ${config.db.url} was already up to date`
        : `database ${config.db.url}: applied ${applied} migration(s); it is up to date`
    )
    return EXIT.ok
  },
}
