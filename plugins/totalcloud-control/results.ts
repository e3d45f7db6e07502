import type { GroupEvidence } from '../../core/criteria/evidence.ts'
import { TRUE, type Truth, UNKNOWN } from '../../core/criteria/truth.ts'
import { type CompiledPath, compilePath } from '../../core/path.ts'
import type { Item } from '../../core/plugin/types.ts'
import { reportedAccountId } from '../shared/account-ids.ts'
import type { ControlConfig } from './config.ts'

export type Verdict = 'PASS' | 'FAIL' | 'ERROR'

/** One line of the `results` port: what the server stores per control and a connector reads back. */
export interface ControlResult {
  resourceId: string
  displayName: string
  result: Verdict
  accountId: string | null
  region: string | null
  evidence: {
    /** The id and name keys and every evidence key, by key path, as observed. */
    keys: Record<string, unknown>
    /** Every condition's observed value and outcome, mirroring the criteria. */
    criteria?: GroupEvidence
    /** Set when the resource could not be evaluated at all. */
    error?: string
  }
}

export function verdictOf(truth: Truth, onMatch: ControlConfig['onMatch']): Verdict {
  if (truth === UNKNOWN) return 'ERROR'
  const matched = truth === TRUE
  return matched === (onMatch === 'FAIL') ? 'FAIL' : 'PASS'
}

/** Builds results for one node run: key paths compiled once. */
export function resultBuilder(config: ControlConfig) {
  const idPath = compilePath(config.resourceIdKey)
  const namePath = config.displayNameKey ? compilePath(config.displayNameKey) : undefined
  const keyPaths = [
    config.resourceIdKey,
    ...(config.displayNameKey ? [config.displayNameKey] : []),
    ...config.evidenceKeys,
  ]
  const evidencePaths = [...new Set(keyPaths)].map((key) => compilePath(key))
  const fallbackIds = [compilePath('_qflow.resourceId'), compilePath('_qflow.arn')]

  return {
    /** The resource id, or undefined when neither the id key nor the `_qflow` metadata gives one. */
    idOf(item: Item): string | undefined {
      const id = scalarText(readSafely(idPath, item))
      if (id !== undefined && id !== '') return id
      for (const path of fallbackIds) {
        const fallback = scalarText(readSafely(path, item))
        if (fallback !== undefined && fallback !== '') return fallback
      }
      return undefined
    },
    build(
      item: Item,
      resourceId: string,
      result: Verdict,
      evidence: Omit<ControlResult['evidence'], 'keys'>
    ): ControlResult {
      const keys: Record<string, unknown> = {}
      for (let i = 0; i < evidencePaths.length; i++) {
        const path = evidencePaths[i]!
        keys[path.source] = readSafely(path, item, true)
      }
      const meta = item._qflow as Record<string, unknown> | undefined
      const region = meta?.region
      // One literal per shape (see evidenceOf), none grown after it is made.
      const out = evidenceOf(keys, evidence.criteria, evidence.error)
      return {
        resourceId,
        displayName: (namePath && scalarText(readSafely(namePath, item))) || resourceId,
        result,
        accountId: reportedAccountId(meta),
        region: typeof region === 'string' ? region : null,
        evidence: out,
      }
    },
  }
}

function evidenceOf(
  keys: Record<string, unknown>,
  criteria: GroupEvidence | undefined,
  error: string | undefined
): ControlResult['evidence'] {
  if (error === undefined) return criteria === undefined ? { keys } : { keys, criteria }
  return criteria === undefined ? { keys, error } : { keys, criteria, error }
}

/** The value at a path (shaped for evidence: see CompiledPath.shaped), null when absent or when reading it throws (the result must still be written). */
function readSafely(path: CompiledPath, item: Item, shaped = false): unknown {
  try {
    return (shaped ? path.shaped(item) : path.get(item)) ?? null
  } catch {
    return null
  }
}

function scalarText(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined
}
