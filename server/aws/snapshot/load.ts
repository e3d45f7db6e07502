import { existsSync, realpathSync } from 'node:fs'
import { readdir, readFile, realpath, stat } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { getOrSet } from '../../../plugins/shared/maps.ts'
import { REGION, type SnapshotSource } from '../account.ts'
import { responseShapeProblem } from './shape.ts'

/**
 * A recorded estate: per region, per `<service>.<Operation>`, the recorded responses in file order
 * (several files of one operation are pages or parts of one listing). Layout as in
 * `../shared/aws-cases/<case>/`: files at the top belong to the first region, a folder named after a
 * region holds that region's files; anything else (`case.json`, `raw/`) is ignored. Calls made once
 * per resource (a catalogue method's `details`, e.g. `ec2.GetManagedPrefixListEntries.pl-1.json`)
 * hold the id they were asked for beside the response: `{"PrefixListId": "pl-1", "Entries": [...]}`.
 * See `examples/demo-estate/README.md`, Files.
 */
export interface Recording {
  regions: string[]
  responses: Map<string, Map<string, unknown[]>>
}

export class SnapshotError extends Error {
  constructor(
    readonly field: string,
    message: string
  ) {
    super(message)
    this.name = 'SnapshotError'
  }
}

/** `rds.DescribeDBInstances.json`, `ec2.DescribeSecurityGroups.part2.json`, `rds.DescribeDBInstances_2.json`. */
const RESPONSE_FILE = /^([a-z0-9-]+)\.([A-Z][A-Za-z0-9]*?)(?:[._-][^/]*)?\.json$/
export const DEFAULT_FIRST_REGION = 'us-east-1'

/** The qflow install folder: relative snapshot paths start here, so `../shared/...` works from a checkout. */
export const INSTALL_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * The folders snapshot accounts may read when QFLOW_SNAPSHOT_ROOTS is unset: the shipped
 * `examples/` (the demo estate) and, in a checkout next to it, `../shared/aws-cases`.
 */
export function defaultSnapshotRoots(): string[] {
  const roots = [resolve(INSTALL_ROOT, 'examples')]
  const cases = resolve(INSTALL_ROOT, '../shared/aws-cases')
  if (existsSync(cases)) roots.push(cases)
  return roots
}

/** A root as the filesystem names it, so a symlinked root still contains its own files. */
function canonicalRoot(root: string): string {
  const absolute = resolve(INSTALL_ROOT, root)
  try {
    return realpathSync(absolute)
  } catch {
    return absolute
  }
}

const inside = (root: string, path: string) =>
  path === root || path.startsWith(root.endsWith(sep) ? root : root + sep)

/**
 * The real folder a snapshot path names, if it lies inside an allowed root. Symlinks are resolved
 * first so a link cannot lead out. A missing folder, a file and a folder outside the roots get the
 * same answer, so the API cannot be used to probe which paths exist on the host.
 */
export async function resolveSnapshotPath(
  path: string,
  roots: readonly string[]
): Promise<{ folder: string; root: string }> {
  const refuse = () =>
    new SnapshotError(
      'path',
      'not a snapshot folder inside the allowed roots (QFLOW_SNAPSHOT_ROOTS); relative paths start at the qflow install'
    )
  const absolute = isAbsolute(path) ? path : resolve(INSTALL_ROOT, path)
  const folder = await realpath(absolute).catch(() => undefined)
  if (!folder) throw refuse()
  const root = roots.map(canonicalRoot).find((r) => inside(r, folder))
  if (!root) throw refuse()
  const info = await stat(folder).catch(() => undefined)
  if (!info?.isDirectory()) throw refuse()
  return { folder, root }
}

interface RawFile {
  region: string | undefined
  name: string
  read(): Promise<unknown>
}

export async function loadRecording(
  source: SnapshotSource,
  regions: readonly string[] = [],
  roots: readonly string[] = defaultSnapshotRoots()
): Promise<Recording> {
  const raw =
    'path' in source
      ? await listFolder(await resolveSnapshotPath(source.path, roots))
      : listUpload(source.files)
  const first = regions[0] ?? DEFAULT_FIRST_REGION
  const responses = new Map<string, Map<string, unknown[]>>()
  // The first region always exists (an empty top level is an empty estate); any other region
  // exists only if it has a folder, so asking for one that was never recorded is an error.
  responses.set(first, new Map())
  const sorted = raw.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))
  for (const file of sorted) {
    const match = RESPONSE_FILE.exec(file.name)
    if (!match) continue
    const region = file.region ?? first
    const key = `${match[1]}.${match[2]}`
    const body = await file.read()
    // An upload names the file in the field (`files.<name>`); a folder names it in the message.
    const shown = `${file.region ? `${file.region}/` : ''}${file.name}`
    const refuse = (problem: string) =>
      'path' in source
        ? new SnapshotError('path', `${shown} ${problem}`)
        : new SnapshotError(`files.${shown}`, problem)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw refuse('is not a JSON object')
    const problem = responseShapeProblem(key, body as Record<string, unknown>)
    if (problem) throw refuse(problem)
    const byOperation = getOrSet(responses, region, () => new Map<string, unknown[]>())
    getOrSet(byOperation, key, () => []).push(body)
  }
  return { regions: [...responses.keys()], responses }
}

async function listFolder({ folder, root }: { folder: string; root: string }): Promise<RawFile[]> {
  const files: RawFile[] = []
  const fromFile = (region: string | undefined, path: string, name: string): RawFile => ({
    region,
    name,
    read: async () => {
      // A file inside the folder may itself be a link out of the root: read only what stays inside.
      const real = await realpath(path).catch(() => undefined)
      const shown = relative(root, path)
      if (!real || !inside(root, real)) throw new SnapshotError('path', `${shown} is not readable`)
      try {
        return JSON.parse(await readFile(real, 'utf8'))
      } catch {
        // The parser's message quotes the file's first bytes; the file is named, its content never echoed.
        throw new SnapshotError('path', `${shown} is not valid JSON`)
      }
    },
  })
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (entry.isFile()) files.push(fromFile(undefined, join(folder, entry.name), entry.name))
    else if (entry.isDirectory() && REGION.test(entry.name)) {
      for (const inner of await readdir(join(folder, entry.name), { withFileTypes: true }))
        if (inner.isFile()) files.push(fromFile(entry.name, join(folder, entry.name, inner.name), inner.name))
    }
  }
  return files
}

function listUpload(files: Record<string, unknown>): RawFile[] {
  return Object.entries(files).map(([key, value]) => {
    const slash = key.lastIndexOf('/')
    const region = slash >= 0 ? key.slice(0, slash) : undefined
    const name = key.slice(slash + 1)
    if (region !== undefined && !REGION.test(region))
      throw new SnapshotError(
        `files.${key}`,
        `"${region}" is not a region name (expected e.g. eu-west-1/${name})`
      )
    if (RESPONSE_FILE.test(name) === false)
      throw new SnapshotError(`files.${key}`, `"${name}" is not named <service>.<Operation>[.part].json`)
    return {
      region,
      name,
      read: async () => {
        if (typeof value !== 'string') return value
        try {
          return JSON.parse(value)
        } catch (err) {
          throw new SnapshotError(`files.${key}`, `not valid JSON: ${(err as Error).message}`)
        }
      },
    }
  })
}
