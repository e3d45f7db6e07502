import { type Connection, ConnectionMode, initialConnection, XYHandle } from '@xyflow/system'
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { CanvasStore } from '../canvas-store.ts'
import { type ConnectVerdict, canConnect } from '../connect-rules.ts'
import { FLOW_ID, LIB } from '../dom-contract.ts'

type PointerParams = Parameters<typeof XYHandle.onPointerDown>[1]

/**
 * Drawing edges: starts XYHandle from an output handle, checks each hovered target against our
 * rules, adds the edge on a valid drop and reports a refused one. XYHandle listens on our shadow
 * root, which never hears a mouse released outside the host, so a window listener re-dispatches it.
 */
export class ConnectionController implements ReactiveController {
  /** Why the currently hovered target is refused, shown next to the connection line. */
  refusal: string | null = null
  private readonly releaseOutside = (event: MouseEvent) => {
    if (!this.store.connection.inProgress) return
    const host = this.host as unknown as HTMLElement
    if (event.composedPath().includes(host)) return
    host.shadowRoot?.dispatchEvent(
      new MouseEvent('mouseup', {
        clientX: event.clientX,
        clientY: event.clientY,
        bubbles: true,
        composed: true,
      })
    )
  }

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly store: CanvasStore,
    private readonly events: {
      onRefused(reason: string): void
      onStateChange(): void
      newEdgeId(): string
    }
  ) {
    host.addController(this)
  }

  verdict(connection: Connection): ConnectVerdict {
    return canConnect(this.store.graph(), {
      source: connection.source,
      sourcePort: connection.sourceHandle ?? 'out',
      target: connection.target,
      targetPort: connection.targetHandle ?? 'in',
    })
  }

  start(event: MouseEvent | TouchEvent, nodeId: string, handleId: string, isTarget: boolean): void {
    if (this.store.readonly) return
    if ('button' in event && event.button !== 0) return
    const store = this.store
    const params: PointerParams = {
      autoPanOnConnect: true,
      connectionMode: ConnectionMode.Strict,
      connectionRadius: 24,
      domNode: store.domNode,
      handleId,
      nodeId,
      isTarget,
      nodeLookup: store.nodeLookup as PointerParams['nodeLookup'],
      lib: LIB,
      flowId: FLOW_ID,
      updateConnection: (state) => {
        store.connection = state as typeof store.connection
        this.refusal = null
        if (state.inProgress && state.toHandle && state.isValid === false) {
          const from = state.fromHandle
          const to = state.toHandle
          const connection: Connection =
            from.type === 'source'
              ? {
                  source: from.nodeId,
                  sourceHandle: from.id ?? null,
                  target: to.nodeId,
                  targetHandle: to.id ?? null,
                }
              : {
                  source: to.nodeId,
                  sourceHandle: to.id ?? null,
                  target: from.nodeId,
                  targetHandle: from.id ?? null,
                }
          const verdict = this.verdict(connection)
          this.refusal = verdict.ok ? 'Connect an output to an input' : verdict.reason
        }
        this.events.onStateChange()
      },
      panBy: store.panBy,
      cancelConnection: () => {
        store.connection = initialConnection
        this.events.onStateChange()
      },
      onConnect: (connection) => {
        const verdict = this.verdict(connection)
        if (!verdict.ok) return this.events.onRefused(verdict.reason)
        store.addEdge({
          id: this.events.newEdgeId(),
          source: connection.source,
          sourcePort: connection.sourceHandle ?? 'out',
          target: connection.target,
          targetPort: connection.targetHandle ?? 'in',
        })
      },
      onConnectEnd: () => {
        if (this.refusal) this.events.onRefused(this.refusal)
        this.refusal = null
      },
      isValidConnection: (edge) =>
        this.verdict({
          source: edge.source,
          target: edge.target,
          sourceHandle: edge.sourceHandle ?? null,
          targetHandle: edge.targetHandle ?? null,
        }).ok,
      getTransform: () => store.transform,
      getFromHandle: () => store.connection.fromHandle,
      dragThreshold: 1,
      handleDomNode: event.currentTarget as Element,
    }
    XYHandle.onPointerDown(event, params)
  }

  hostConnected(): void {
    window.addEventListener('mouseup', this.releaseOutside, true)
  }

  hostDisconnected(): void {
    window.removeEventListener('mouseup', this.releaseOutside, true)
  }
}
