/** Types for addresses.mjs (plain JavaScript: the sandboxed worker runs it without a TypeScript loader). */
export function ipv6Groups(text: string): number[]
export function canonicalIp(text: string): string | undefined
export function internalKind(address: string): string | undefined
