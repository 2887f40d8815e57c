import type { FeatureCollection } from 'geojson'
import { defineStore } from 'pinia'
import { ApiError, authHeaders } from '../../shared/api.ts'
import { sendImportFile, useFileImport } from '../composables/useFileImport.ts'
import { saveBlob } from '../download.ts'

export type Level = 'village' | 'grid'

export interface BoundaryProblem {
  kind: string
  features: string[]
  areaM2: number
  point: [number, number] | null
  geometry?: unknown
  detail?: string
}
export interface BoundaryReport {
  level: Level
  crs: string
  encoding: string | null
  features: number
  items: { n: number; name: string; code: string; village?: string; kind?: 'base' | 'exclusive'; areaM2: number; repaired?: boolean; id?: number; action?: 'new' | 'updated' }[]
  problems: BoundaryProblem[]
  warnings: (Omit<BoundaryProblem, 'areaM2' | 'point'> & { areaM2?: number; point?: [number, number] | null })[]
  retired: { id: number; name: string }[]
  dryRun: boolean
  applied: boolean
  /** the file's features as they would go in (simplified), when small enough to draw */
  map?: FeatureCollection
}

/** the content type the import reads, from the file's name (browsers give .geojson, .kml and .kmz no type) */
export function boundaryType(file: File): string | null {
  const name = file.name.toLowerCase()
  if (name.endsWith('.zip')) return 'application/zip'
  if (name.endsWith('.geojson') || name.endsWith('.json')) return 'application/geo+json'
  if (name.endsWith('.kml')) return 'application/vnd.google-earth.kml+xml'
  if (name.endsWith('.kmz')) return 'application/vnd.google-earth.kmz'
  return null
}

export interface ImportOptions {
  townId: number | null
  crs: string
  nameField: string
  codeField: string
  villageField: string
  kind: 'base' | 'exclusive'
}

/**
 * Village boundaries and grids from files: a dry run answers what the import would do (the
 * 四无 problems with their areas and places, the repairs and snapped slivers), then the same
 * file is imported. A 422 on import (something changed since the dry run) carries the same
 * report, which is shown instead of a bare message.
 */
export const useBoundaryStore = defineStore('deskBoundaries', () => {
  function query(level: Level, o: ImportOptions, dryRun: boolean): string {
    const q = new URLSearchParams({ level })
    if (dryRun) q.set('dryRun', '1')
    if (o.townId) q.set('town', String(o.townId))
    if (o.crs.trim()) q.set('crs', o.crs.trim())
    if (o.nameField.trim()) q.set('nameField', o.nameField.trim())
    if (o.codeField.trim()) q.set('codeField', o.codeField.trim())
    if (level === 'grid' && o.villageField.trim()) q.set('villageField', o.villageField.trim())
    if (level === 'grid') q.set('kind', o.kind)
    return q.toString()
  }
  const run = useFileImport((f: File, dryRun: boolean, level: Level, o: ImportOptions) => {
    const type = boundaryType(f)
    if (!type) throw new ApiError(415, '只能导入 Shapefile（.zip，含 .shp .shx .dbf .prj）、GeoJSON、KML 或 KMZ 文件', undefined, 'unsupported_media_type')
    return sendImportFile<BoundaryReport>(`/api/imports/boundaries?${query(level, o, dryRun)}`, f, type)
  }, (r) => !r.applied)

  /** the map given back: the browser saves what the export answers */
  async function download(level: Level, format: 'geojson' | 'shp', townId: number | null): Promise<void> {
    const q = new URLSearchParams({ level, format })
    if (townId) q.set('town', String(townId))
    const res = await fetch(`/api/exports/boundaries?${q}`, { headers: authHeaders() })
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { message?: string; code?: string } | null
      throw new ApiError(res.status, body?.message ?? `请求失败 (${res.status})`, body, body?.code)
    }
    const day = new Date().toISOString().slice(0, 10)
    saveBlob(await res.blob(), `${level === 'village' ? '村界' : '网格'}-${day}.${format === 'shp' ? 'zip' : 'geojson'}`)
  }

  return { ...run, download }
})
