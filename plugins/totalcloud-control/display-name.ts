/** What a results table shows for a resource that has no name of its own. */
export const NO_NAME = '-'

/**
 * The NAME column of a results table (the CLI's and the editor's): the resource's display name, or
 * `-` when it has none of its own: null or empty, or the id standing in for it (the control node
 * names a resource by its id when `displayNameKey` finds nothing, e.g. an RDS instance whose
 * `DBName` is null). The id has its own column; repeating it would read as a name.
 */
export function shownName(result: { resourceId?: string | null; displayName?: string | null }): string {
  const name = result.displayName
  return name && name !== result.resourceId ? name : NO_NAME
}
