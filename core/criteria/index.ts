/** Evaluation criteria shared by the TotalCloud Control and Filter nodes. */
export * from './cidr.ts'
export * from './compile.ts'
export * from './dates.ts'
export * from './evidence.ts'
export * from './regex.ts'
export * from './schema.ts'
export * from './truth.ts'
export * from './values.ts'
