/**
 * The qflow editor as one ES module: importing it defines <qflow-editor> (embeddable), <qflow-app>
 * (the app at `/`) and the elements they are made of, and exports their classes and types.
 */

export { ApiError, QflowClient } from './api/client.ts'
export { QflowCanvas } from './canvas/flow-canvas.ts'
export type { Graph, NodeRunState } from './canvas/graph-types.ts'
export type { NodeAction, QflowEventMap } from './events.ts'
export { QflowNodePalette } from './panels/node-palette.ts'
