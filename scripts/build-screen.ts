// `npm run build`: builds the screens into dist/screen and stamps them with their sources' hash,
// as `npm start` does on a cold start; a start that finds the stamp current serves them as they
// are. CI builds once up front, so systems started side by side never rebuild under each other.
import { buildScreen, screenBuildIsCurrent, SCREEN_DIST } from '../api/screen/build.ts'

if (screenBuildIsCurrent() && !process.argv.includes('--force')) {
  console.log(`${SCREEN_DIST}: current (npm run build -- --force rebuilds)`)
} else {
  const t0 = Date.now()
  await buildScreen((line) => console.log(`  vite: ${line}`))
  console.log(`${SCREEN_DIST}: built in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
}
