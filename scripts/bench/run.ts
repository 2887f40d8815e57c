// `npm run bench`: every figure is printed next to a baseline measured in the same run.
import { canStartCluster, startTempCluster } from '../pg/temp-cluster.ts'
import { benchStartup } from './startup.ts'
import { benchTiles } from './tiles.ts'
import { benchLive } from './live.ts'
import { benchJt808 } from './jt808.ts'
import { benchJt808Scale } from './jt808-scale.ts'
import { benchWorkOrders } from './work-orders.ts'
import { benchPopulation } from './population.ts'
import { benchCounty } from './county-figures.ts'
import { benchOnboarding } from './onboarding.ts'

const only = process.argv.slice(2)
const want = (name: string) => only.length === 0 || only.includes(name)

if (want('startup')) await benchStartup()

if (want('tiles') || want('live') || want('jt808') || want('workorders') || want('population') || want('county') || want('onboarding')) {
  let url = process.env.DATABASE_URL
  let cluster: Awaited<ReturnType<typeof startTempCluster>> | undefined
  if (!url) {
    if (!canStartCluster()) {
      console.log('tiles, live, jt808, workorders, population, county, onboarding: skipped, needs DATABASE_URL or a local postgresql-15-postgis-3 install to start a temporary cluster')
    } else {
      cluster = await startTempCluster()
      url = cluster.url
      console.log(`tiles: temporary PostgreSQL cluster at ${url}`)
    }
  }
  if (url && want('tiles')) await benchTiles(url)
  if (url && want('live')) await benchLive(url)
  if (url && want('jt808')) {
    await benchJt808(url)
    await benchJt808Scale(url)
  }
  if (url && want('workorders')) await benchWorkOrders(url)
  if (url && want('population')) await benchPopulation(url)
  if (url && want('county')) await benchCounty(url)
  if (url && want('onboarding')) await benchOnboarding(url)
  cluster?.stop()
}
process.exit(0)
