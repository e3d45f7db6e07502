#!/usr/bin/env node
// qflow's command line. The server is TypeScript run by tsx (no build step): register its loader,
// then hand over to the real entry point.
import { register } from 'tsx/esm/api'

// The AWS SDK prints nine lines on Node 20 about releases after January 2027 needing Node 22, on
// every command. The lockfile pins today's SDK, which supports Node 20; the README's "Node
// versions" note says what to do before upgrading it. An explicit setting still wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

register()
const { main } = await import('../server/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
