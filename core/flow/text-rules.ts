/**
 * Which characters text in a flow may hold. Kept apart from schema.ts, with no zod, so the editor
 * checks text as it is typed by the very rule the server applies, without bundling zod.
 */

/** C0 controls (NUL, tab, line breaks...), DEL and C1 controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/

/** The same but tab and line breaks (\n, and \r of a file written on Windows), which a multi-line text keeps. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
export const CONTROL_CHARACTER_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/
