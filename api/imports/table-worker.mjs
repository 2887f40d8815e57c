// Worker threads get neither tsx's nor vitest's TypeScript transform from the thread that
// starts them (module hooks are per thread), so this plain module registers tsx in the worker
// and then loads the worker itself.
import { setPriority } from 'node:os'

// Parsing is background work: on Linux, where nice is per thread, the worker (and the threads
// it starts) yield the CPU to the API's event loop. Elsewhere this would renice the whole process.
if (process.platform === 'linux') setPriority(19)
const { register } = await import('tsx/esm/api')
register()
await import('./table-worker.ts')
