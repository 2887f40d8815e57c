import type { Pt } from './planar.ts'

/**
 * An equirectangular projection around a township's centre: metres east/north of the
 * centre ↔ WGS-84. Over 20 km its error is far below a household's footprint, and it
 * keeps the generator's geometry in metres.
 */
export class LocalProjection {
  private readonly mPerDegLon: number
  private readonly mPerDegLat = 110_574

  constructor(
    readonly lon0: number,
    readonly lat0: number,
  ) {
    this.mPerDegLon = 111_320 * Math.cos((lat0 * Math.PI) / 180)
  }

  toLonLat([x, y]: Pt, decimals = 7): Pt {
    const f = 10 ** decimals
    return [Math.round((this.lon0 + x / this.mPerDegLon) * f) / f, Math.round((this.lat0 + y / this.mPerDegLat) * f) / f]
  }

  toMetres([lon, lat]: Pt): Pt {
    return [(lon - this.lon0) * this.mPerDegLon, (lat - this.lat0) * this.mPerDegLat]
  }
}
