import type { NodePlugin } from '../core/plugin/types.ts'
import awsAction from './aws-action/index.ts'
import awsResource from './aws-resource/index.ts'
import filter from './filter/index.ts'
import totalcloudControl from './totalcloud-control/index.ts'
import trigger from './trigger/index.ts'

/** The node types that ship with qflow, registered before any community plugin. */
export const builtinPlugins: NodePlugin[] = [trigger, awsResource, totalcloudControl, filter, awsAction]
