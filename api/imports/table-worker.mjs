// Worker threads get neither tsx's nor vitest's TypeScript transform from the thread that
// starts them (module hooks are per thread), so this plain module registers tsx in the worker
// and then loads the worker itself.
import { register } from 'tsx/esm/api'

register()
await import('./table-worker.ts')
