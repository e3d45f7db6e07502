import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { Flow } from '../../../core/flow/schema.ts'
import { ApiError, type QflowClient, type StoredFlow } from '../api/client.ts'
import { describeFlowChanges } from './flow-diff.ts'
import { History } from './history.ts'
import { indexProblems, type ProblemIndex } from './server-problems.ts'

export interface Conflict {
  theirs: StoredFlow
  changes: string[]
}

/**
 * The flow being edited: the document, its stored version, unsaved state, undo/redo, and saving with
 * the version check. A stale save keeps the user's work and exposes what the newer version changed.
 */
export class FlowSession implements ReactiveController {
  flow: Flow | null = null
  version: number | null = null
  saving = false
  conflict: Conflict | null = null
  problems: ProblemIndex = { byNode: new Map(), general: [] }
  private savedJson = ''
  private readonly history = new History<Flow>()

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly client: () => QflowClient
  ) {
    host.addController(this)
  }

  hostConnected(): void {}

  get dirty(): boolean {
    return !!this.flow && JSON.stringify(this.flow) !== this.savedJson
  }

  get isNew(): boolean {
    return !this.flow?.id
  }

  get canUndo(): boolean {
    return this.history.canUndo
  }

  get canRedo(): boolean {
    return this.history.canRedo
  }

  /** Start from a document that is not stored yet (a new flow, a template, an import), or none. */
  start(flow: Flow | null): void {
    this.flow = flow
    this.version = null
    this.savedJson = ''
    this.history.clear()
    this.conflict = null
    this.problems = { byNode: new Map(), general: [] }
    this.host.requestUpdate()
  }

  /** Edit a stored flow, with a fresh history. */
  open(stored: StoredFlow): void {
    this.adopt(stored)
    this.history.clear()
  }

  private adopt(stored: StoredFlow): void {
    this.flow = stored.flow
    this.version = stored.version
    this.savedJson = JSON.stringify(stored.flow)
    this.conflict = null
    // The server stores flows with problems (and refuses to run them); show each where it belongs.
    this.problems = indexProblems(stored.problems ?? [], stored.flow)
    this.host.requestUpdate()
  }

  /** Apply an edit; it becomes one undo step. */
  change(next: Flow): void {
    if (!this.flow || next === this.flow) return
    this.history.push(this.flow)
    this.flow = next
    this.host.requestUpdate()
  }

  undo(): boolean {
    if (!this.flow) return false
    const previous = this.history.undo(this.flow)
    if (!previous) return false
    this.flow = previous
    this.host.requestUpdate()
    return true
  }

  redo(): boolean {
    if (!this.flow) return false
    const next = this.history.redo(this.flow)
    if (!next) return false
    this.flow = next
    this.host.requestUpdate()
    return true
  }

  /**
   * Save: create when new, else PUT with `If-Match`. A 409 fills `conflict` (and returns null) so the
   * user can reload theirs or overwrite; a 400 fills `problems` for the fields it names.
   */
  async save(options: { overwrite?: boolean } = {}): Promise<StoredFlow | null> {
    const flow = this.flow
    if (!flow) return null
    this.saving = true
    this.host.requestUpdate()
    try {
      const client = this.client()
      const version = options.overwrite && this.conflict ? this.conflict.theirs.version : this.version
      const stored = flow.id ? await client.saveFlow(flow.id, flow, version) : await client.createFlow(flow)
      // Keep the document the user has (positions, selection) and take the server's id and version.
      this.adopt({
        flow: { ...flow, id: stored.flow.id },
        version: stored.version,
        problems: stored.problems,
      })
      this.savedJson = JSON.stringify(this.flow)
      return stored
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && flow.id) {
        const theirs = await this.client().getFlow(flow.id)
        // Compare theirs with the version this editor started from, not with the current document:
        // the user's own edits are not news to them, only what the other save changed is.
        const base = this.savedJson ? (JSON.parse(this.savedJson) as Flow) : flow
        this.conflict = { theirs, changes: describeFlowChanges(base, theirs.flow) }
        return null
      }
      if (err instanceof ApiError && (err.status === 400 || err.status === 422)) {
        this.problems = indexProblems(err.details, flow)
        if (!this.problems.general.length && !this.problems.byNode.size)
          this.problems.general.push(err.message)
      }
      throw err
    } finally {
      this.saving = false
      this.host.requestUpdate()
    }
  }

  /** Drop local edits and take the newer stored version. */
  takeTheirs(): void {
    if (!this.conflict) return
    this.history.push(this.flow!)
    this.adopt(this.conflict.theirs)
  }

  /** After deploy/undeploy, the server's version moves on; track it without losing local edits. */
  acknowledge(stored: StoredFlow | null, deployed: boolean): void {
    if (!this.flow) return
    const saved = JSON.parse(this.savedJson || 'null') as Flow | null
    if (stored) this.version = stored.version
    this.flow = { ...this.flow, deployed }
    if (saved) this.savedJson = JSON.stringify({ ...saved, deployed })
    this.host.requestUpdate()
  }
}
