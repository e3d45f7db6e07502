/**
 * Who may do what. Each role includes everything of the roles before it, so the table reads as a
 * ladder: a viewer reads, a runner also starts runs (what a CSPM connector needs), an editor also
 * changes and deploys flows, an admin also manages keys, accounts and plugins.
 */
export const ROLES = ['viewer', 'runner', 'editor', 'admin'] as const
export type Role = (typeof ROLES)[number]

export const PERMISSIONS = {
  /** Flows, versions, exports, node types, runs, step output, control results. */
  read: 'viewer',
  /** Start and cancel runs, post events. */
  run: 'runner',
  /** Create, change, import, delete, deploy and undeploy flows. */
  edit: 'editor',
  /** API keys, cloud accounts and credentials, plugins. */
  admin: 'admin',
} as const satisfies Record<string, Role>
export type Permission = keyof typeof PERMISSIONS

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(PERMISSIONS[permission])
}

/** The caller of a request, once authenticated. */
export interface Principal {
  /** `key:<id>`, `admin-token` or `local`. */
  id: string
  role: Role
  /** When set, the caller may only see and run these flows. */
  flowIds: string[] | null
}

export function canUseFlow(principal: Principal, flowId: string): boolean {
  return principal.flowIds === null || principal.flowIds.includes(flowId)
}
