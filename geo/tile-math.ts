/** The slippy-map tile (EPSG:3857 / XYZ) that contains a WGS-84 point at zoom z. */
export function lonLatToTile(lon: number, lat: number, z: number): { x: number; y: number } {
  const n = 2 ** z
  const x = Math.floor(((lon + 180) / 360) * n)
  const rad = (lat * Math.PI) / 180
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n)
  return { x: Math.min(Math.max(x, 0), n - 1), y: Math.min(Math.max(y, 0), n - 1) }
}

/** Every tile at zoom z that covers a lon/lat bbox. */
export function tilesCovering(bbox: [number, number, number, number], z: number): { z: number; x: number; y: number }[] {
  const a = lonLatToTile(bbox[0], bbox[3], z)
  const b = lonLatToTile(bbox[2], bbox[1], z)
  const out: { z: number; x: number; y: number }[] = []
  for (let x = a.x; x <= b.x; x++) for (let y = a.y; y <= b.y; y++) out.push({ z, x, y })
  return out
}
