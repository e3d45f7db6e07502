export * from './accounts.ts'
export * from './controls.ts'
export * from './flows.ts'
export * from './runs.ts'
