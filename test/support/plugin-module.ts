import { testPlugins } from './test-plugins.ts'

/** The test node types as a plugin module, for `qflow serve --plugin` in process-level tests. */
export default testPlugins
