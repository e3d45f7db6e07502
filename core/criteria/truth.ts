/**
 * Three-valued (Kleene) logic. A criterion can be true, false, or unknown: the data does not say
 * (a security group nobody described, a port not assigned yet). Unknown is never silently a pass:
 * `true OR unknown` is true, `false AND unknown` is false, everything else with an unknown in it
 * stays unknown, and NOT unknown is unknown.
 */
export const FALSE = 0
export const TRUE = 1
export const UNKNOWN = 2
export type Truth = typeof FALSE | typeof TRUE | typeof UNKNOWN

export function not(value: Truth): Truth {
  return value === UNKNOWN ? UNKNOWN : value === TRUE ? FALSE : TRUE
}

export function fromBoolean(value: boolean | undefined): Truth {
  return value === undefined ? UNKNOWN : value ? TRUE : FALSE
}

/** How a truth value is written in evidence: true, false or null for unknown. */
export function truthJson(value: Truth): boolean | null {
  return value === UNKNOWN ? null : value === TRUE
}
