import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { errorMessage, FlowError } from '../../core/errors.ts'
import { checkInput, type InputIssue } from '../parse-input.ts'
import { hostRule } from './package.ts'

/** One configured plugin: where it comes from, and any extra hosts the operator lets it reach. */
export const pluginEntrySchema = z.object({
  source: z.string().min(1),
  hosts: z.array(hostRule).default([]),
})
export type PluginEntry = z.infer<typeof pluginEntrySchema>

/** The file `qflow plugin install` maintains. */
export const pluginsFileSchema = z.object({ plugins: z.array(pluginEntrySchema).default([]) })

/** Its outline, so one bad entry does not take the good ones with it. */
const outlineSchema = z.object({ plugins: z.array(z.unknown()).default([]) })

/** Where an issue on the file itself (not on a field in it) is reported. */
const WHOLE_FILE = '(the file)'

/** Something wrong in the plugins file: the plugin it concerns (the file, when none), in plain words. */
export interface PluginsFileProblem {
  source: string
  message: string
}

/**
 * The plugins file's entries, and what is wrong in it: each bad entry is left out and named
 * (`data/plugins.json: plugins.0.source: must not be empty`), so a server still starts with the
 * others and reports it. A missing file lists none. `label` is the path as the user gave it.
 */
export async function inspectPluginsFile(
  file: string,
  label = file
): Promise<{ entries: PluginEntry[]; problems: PluginsFileProblem[] }> {
  if (!existsSync(file)) return { entries: [], problems: [] }
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    const what = err instanceof SyntaxError ? 'not valid JSON' : 'cannot be read'
    return { entries: [], problems: [{ source: label, message: `${label}: ${what} (${errorMessage(err)})` }] }
  }
  const checked = checkInput(pluginsFileSchema, raw, WHOLE_FILE)
  if (checked.success) return { entries: checked.data.plugins, problems: [] }
  const outline = outlineSchema.safeParse(raw)
  if (!outline.success)
    return { entries: [], problems: [{ source: label, message: sayAll(label, checked.issues) }] }
  const byEntry = new Map<number, InputIssue[]>()
  for (const issue of checked.issues) {
    const index = Number(/^plugins\.(\d+)/.exec(issue.field)?.[1] ?? -1)
    byEntry.set(index, [...(byEntry.get(index) ?? []), issue])
  }
  const entries: PluginEntry[] = []
  const problems: PluginsFileProblem[] = []
  outline.data.plugins.forEach((entry, index) => {
    const issues = byEntry.get(index)
    if (!issues) entries.push(pluginEntrySchema.parse(entry))
    else problems.push({ source: sourceOf(entry) ?? label, message: sayAll(label, issues) })
  })
  return { entries, problems }
}

/**
 * The entries, for rewriting the file (`qflow plugin install` / `remove`): any problem is thrown
 * instead, so a broken file is fixed by hand rather than rewritten without its bad entries.
 */
export async function readPluginsFile(file: string, label = file): Promise<PluginEntry[]> {
  const { entries, problems } = await inspectPluginsFile(file, label)
  if (problems.length > 0)
    throw new FlowError('PLUGINS_FILE_INVALID', problems.map((problem) => problem.message).join('\n'))
  return entries
}

function sayAll(label: string, issues: InputIssue[]): string {
  const fields = issues.map((issue) =>
    issue.field === WHOLE_FILE ? issue.message : `${issue.field}: ${issue.message}`
  )
  return `${label}: ${fields.join('; ')}`
}

function sourceOf(entry: unknown): string | undefined {
  const source = (entry as { source?: unknown } | null)?.source
  return typeof source === 'string' && source !== '' ? source : undefined
}
