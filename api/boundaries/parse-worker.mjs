// As api/imports/table-worker.mjs: a worker thread gets no TypeScript transform from the thread
// that starts it, so this plain module registers tsx and loads the worker itself, niced.
import { setPriority } from 'node:os'

if (process.platform === 'linux') setPriority(19)
const { register } = await import('tsx/esm/api')
register()
await import('./parse-worker.ts')
