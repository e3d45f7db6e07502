/**
 * Class names and attributes that @xyflow/system looks up by string. They are a hard contract with the
 * library (it builds selectors from `lib` and `flowId`), so they live in one place.
 */
export const LIB = 'xy'
export const FLOW_ID = 'qflow'
export const VIEWPORT_CLASS = 'xyflow__viewport'
export const NODE_CLASS = `${LIB}-flow__node`
export const HANDLE_CLASS = `${LIB}-flow__handle`
export const NO_DRAG = 'nodrag'
export const NO_PAN = 'nopan'
export const NO_WHEEL = 'nowheel'

/** The `data-id` XYHandle uses to find a handle element: `${flowId}-${nodeId}-${handleId}-${type}`. */
export function handleDataId(nodeId: string, handleId: string, type: 'source' | 'target'): string {
  return `${FLOW_ID}-${nodeId}-${handleId}-${type}`
}
