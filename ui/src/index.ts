/**
 * The qflow editor as one ES module: importing it defines <qflow-editor> (embeddable), <qflow-app>
 * (the app at `/`) and the elements they are made of, and exports their classes and types.
 */

export { ApiError, QflowClient } from './api/client.ts'
export { QflowApp } from './app/qflow-app.ts'
export { QflowCanvas } from './canvas/flow-canvas.ts'
export type { Graph, NodeRunState } from './canvas/graph-types.ts'
export { QflowEditor } from './editor/qflow-editor.ts'
export type { NodeAction, QflowEventMap } from './events.ts'
export { QflowSchemaForm } from './form/schema-form.ts'
export { QflowCriteriaBuilder } from './form/widgets/criteria-builder.ts'
export { QflowNodePalette } from './panels/node-palette.ts'
