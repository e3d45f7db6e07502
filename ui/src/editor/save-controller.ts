import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { Flow } from '../../../core/flow/schema.ts'
import type { NodeTypeDescription } from '../../../core/plugin/registry.ts'
import { ApiError, type QflowClient } from '../api/client.ts'
import { emit } from '../events.ts'
import type { QflowAssociateDialog } from '../panels/associate-dialog.ts'
import type { DetailsIntent } from '../panels/flow-details.ts'
import type { FlowSession } from './flow-session.ts'
import { unsavedLine } from './server-problems.ts'

/** What the save flow needs from the editor that hosts it. */
export interface SaveHost {
  session: FlowSession
  client(): QflowClient
  readonly(): boolean
  nodeTypes(): NodeTypeDescription[]
  associateDialog(): QflowAssociateDialog
  conflictDialog(): HTMLDialogElement | null
  /** An edit made on the user's behalf (accounts and regions chosen, a name given). */
  change(next: Flow): void
  /** The flow was stored (under this id). */
  stored(flowId: string | undefined): void
  labelOf(nodeId: string): string
  say(text: string, error?: boolean): void
  fail(err: unknown, shown?: string): void
}

/**
 * Storing the flow: Save with the version check, Deploy / Undeploy, and what must happen before a
 * flow is stored or run: a new flow is named first (not a silent "Untitled QFlow" in the list), and
 * a flow whose AWS nodes have no accounts or regions asks for them. Owns the details dialog's
 * open / intent state (it doubles as the naming step) and the "enter another key" prompt a 401 opens.
 */
export class SaveController implements ReactiveController {
  /** The details dialog is open: to edit them, or to name a new flow before its first store. */
  detailsOpen = false
  detailsIntent: DetailsIntent = 'edit'
  /** A save was refused for the key (revoked): the editor asks for another in place, edits kept. */
  keyRetry = false
  /** Settles the question the details dialog asks before a new flow's first run (named or not). */
  private whenNamed: ((named: boolean) => void) | null = null

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly editor: SaveHost
  ) {
    host.addController(this)
  }

  hostConnected(): void {}

  /** See `QflowEditor.save`. */
  async save(options: { overwrite?: boolean } = {}): Promise<boolean> {
    const { session } = this.editor
    if (this.editor.readonly()) throw new Error('the editor is read-only')
    if (!session.flow) return false
    try {
      const stored = await session.save(options)
      if (!stored) {
        await this.host.updateComplete
        this.editor.conflictDialog()?.showModal()
        return false
      }
      this.editor.stored(stored.flow.id)
      // The server stores flows with problems (and refuses to run them): say so, not just "Saved".
      const problems = this.problemCount()
      this.editor.say(
        problems ? `Saved with ${problems === 1 ? '1 problem' : `${problems} problems`}` : 'Saved',
        problems > 0
      )
      emit(this.host, 'qflow-save', { flow: session.flow!, version: stored.version })
      return true
    } catch (err) {
      this.editor.fail(err, this.notSavedLine(err))
      if (err instanceof ApiError && err.status === 401) this.setKeyRetry(true)
      return false
    }
  }

  /**
   * Save as the Save button does: the first save of a flow with AWS nodes and no accounts or regions
   * asks for them (the guide's "associate your QFlow" step), or lets the user save a draft without.
   */
  async saveAsked(): Promise<boolean> {
    const { session } = this.editor
    const flow = session.flow
    if (!flow || this.editor.readonly()) return false
    if (session.isNew && needsTargets(flow, this.editor.nodeTypes(), {})) {
      const choice = await this.editor.associateDialog().ask(flow, 'save')
      if (!choice) return false
      if (choice !== 'without') this.editor.change({ ...flow, ...choice })
    }
    return this.save()
  }

  /**
   * Everything a run needs before it starts: a name for a new flow, accounts and regions for its
   * AWS nodes, and unsaved changes saved (a run runs the stored flow). Resolves `null` when the run
   * must not start, else whether it saved first.
   */
  async beforeRun(options: { accounts?: string[]; regions?: string[] }): Promise<boolean | null> {
    const { session } = this.editor
    const readonly = this.editor.readonly()
    if (session.isNew && !readonly && !(await this.askName('save-run'))) return null
    // Read again: naming it changed the flow.
    const flow = session.flow
    if (!flow) return null
    if (needsTargets(flow, this.editor.nodeTypes(), options)) {
      // Cloud nodes need somewhere to look: ask now, rather than start a run that must fail.
      if (readonly) {
        this.editor.say('This QFlow has no accounts or regions to run on.', true)
        return null
      }
      const choice = await this.editor.associateDialog().ask(flow, 'run')
      if (!choice || choice === 'without') return null
      this.editor.change({ ...flow, ...choice })
    }
    if ((session.dirty || session.isNew) && !readonly) {
      if (!(await this.save())) return null
      return true
    }
    return false
  }

  async toggleDeploy(): Promise<void> {
    const { session } = this.editor
    const flow = session.flow
    if (!flow || this.editor.readonly()) return
    // Like a first run, a first deploy names the flow rather than storing an "Untitled QFlow".
    if (session.isNew && !(await this.askName('save-deploy'))) return
    if ((session.dirty || session.isNew) && !(await this.save())) return
    const target = !flow.deployed
    try {
      const stored = await this.editor.client().setDeployed(session.flow!.id!, target)
      session.acknowledge(stored, target)
      this.editor.say(target ? 'Deployed: the trigger is armed' : 'Undeployed')
    } catch (err) {
      this.editor.fail(err)
    }
  }

  /** Open the details dialog to edit them (the toolbar's name button). */
  openDetails(): void {
    this.detailsIntent = 'edit'
    this.detailsOpen = true
    this.host.requestUpdate()
  }

  /** The details dialog saved: a new flow waiting for its name has one now. */
  detailsSaved(): void {
    this.settleNaming(true)
  }

  detailsClosed(): void {
    this.settleNaming(false)
    this.detailsOpen = false
    this.host.requestUpdate()
  }

  setKeyRetry(open: boolean): void {
    this.keyRetry = open
    this.host.requestUpdate()
  }

  /** Open the details dialog to name a new flow before it is stored by a run or a deploy. */
  private askName(intent: Exclude<DetailsIntent, 'edit'>): Promise<boolean> {
    this.whenNamed?.(false)
    this.detailsIntent = intent
    this.detailsOpen = true
    this.host.requestUpdate()
    return new Promise((resolve) => (this.whenNamed = resolve))
  }

  private settleNaming(named: boolean): void {
    const settle = this.whenNamed
    this.whenNamed = null
    settle?.(named)
  }

  /** How many problems the server reported for the flow as saved. */
  private problemCount(): number {
    const { problems } = this.editor.session
    let count = problems.general.length
    for (const fields of problems.byNode.values()) count += Object.keys(fields).length
    return count
  }

  /**
   * What the status bar says for a refused save: the nodes' problems with the node and field named
   * (the flow's own ones are listed beside it, each with its field), not the server's first message
   * again.
   */
  private notSavedLine(err: unknown): string | undefined {
    if (!(err instanceof ApiError) || (err.status !== 400 && err.status !== 422)) return undefined
    const problems = this.editor.session.problems
    if (!problems.byNode.size && !problems.general.length) return undefined
    return unsavedLine(problems, (id) => this.editor.labelOf(id))
  }
}

/** True when an AWS node would run with no account or no region (neither the node's nor the flow's). */
export function needsTargets(
  flow: Flow,
  nodeTypes: NodeTypeDescription[],
  options: { accounts?: string[]; regions?: string[] }
): boolean {
  const accounts = options.accounts ?? flow.accounts
  const regions = options.regions ?? flow.regions
  return flow.nodes.some((node) => {
    if (nodeTypes.find((t) => t.type === node.type)?.category !== 'aws') return false
    const own = (key: string) =>
      Array.isArray(node.config[key]) ? (node.config[key] as unknown[]).length : 0
    return (own('accounts') === 0 && accounts.length === 0) || (own('regions') === 0 && regions.length === 0)
  })
}
