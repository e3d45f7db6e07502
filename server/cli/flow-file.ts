import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { type Flow, flowSchema } from '../../core/flow/schema.ts'
import { issueLines } from '../../core/flow/unknown-keys.ts'
import { describeIssue } from '../../core/zod-messages.ts'
import { UsageError } from './command.ts'

/** Read and parse a flow document file; every schema problem is reported, naming its field. */
export async function readFlowFile(path: string, cwd: string): Promise<Flow & { id: string }> {
  let text: string
  try {
    text = await readFile(resolve(cwd, path), 'utf8')
  } catch (err) {
    throw new UsageError(
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
    )
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new UsageError(`${path} is not valid JSON: ${(err as Error).message}`)
  }
  const parsed = flowSchema.safeParse(json, { error: describeIssue })
  if (!parsed.success) {
    const lines = parsed.error.issues
      .flatMap((issue) => issueLines(flowSchema, json, issue))
      .map((line) => `  - ${line.path.join('.') || '(document)'}: ${line.message}`)
    throw new UsageError(`${path} is not a flow document:\n${lines.join('\n')}`)
  }
  return { ...parsed.data, id: parsed.data.id ?? 'local' }
}
