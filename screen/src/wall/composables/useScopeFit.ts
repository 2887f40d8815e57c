// Where the wall's map looks: each scope fitted to the part of the map no docked panel covers
// (visible-area.ts), fitted again when the wall or a panel changes size, and the house whose
// card is open brought to the middle of that part with a pulsing ring.
import * as maplibregl from 'maplibre-gl'
import type { ShallowRef } from 'vue'
import { watch } from 'vue'
import { bboxOf } from '../../../../geo/polygons.ts'
import { mercatorAspect, visiblePadding, type Rect } from '../map/visible-area.ts'
import type { FrameBudget } from '../map/frame-budget.ts'
import { useGeoStore } from '../stores/geo.ts'
import { useHouseholdStore } from '../stores/households.ts'
import { usePlaybackStore } from '../stores/playback.ts'
import { useScopeStore } from '../stores/scope.ts'
import { useVehicleStore } from '../stores/vehicles.ts'

export function useScopeFit(map: ShallowRef<maplibregl.Map | null>, scale: () => number, budget: FrameBudget) {
  const geo = useGeoStore()
  const scope = useScopeStore()
  const households = useHouseholdStore()
  const vehicles = useVehicleStore()
  const playback = usePlaybackStore()

  /** the county's extent: the union of its towns' (a town whose villages are not imported yet has none) */
  function countyBbox(): [number, number, number, number] | null {
    const list = (geo.towns?.towns ?? []).flatMap((t) => (t.bbox ? [t.bbox] : []))
    if (!list.length) return null
    return list.reduce<[number, number, number, number]>((b, t) => [Math.min(b[0], t[0]), Math.min(b[1], t[1]), Math.max(b[2], t[2]), Math.max(b[3], t[3])], [Infinity, Infinity, -Infinity, -Infinity])
  }

  /** the panels docked over the map (FLOATING in scripts/e2e/wall-layout.ts, less the cards that come and go) */
  const DOCKED = ['breadcrumb', 'tour-chip', 'map-asof', 'legend', 'work-order-panel', 'vehicle-panel', 'playback-bar']
  function dockedRects(m: maplibregl.Map, ids = DOCKED): Rect[] {
    const box = m.getContainer().getBoundingClientRect()
    const out: Rect[] = []
    for (const id of ids) {
      const r = document.querySelector(`[data-testid="${id}"]`)?.getBoundingClientRect()
      if (r && r.width > 1 && r.height > 1) out.push({ left: r.left - box.left, top: r.top - box.top, right: r.right - box.left, bottom: r.bottom - box.top })
    }
    return out
  }

  /** the extent of the selected scope */
  function scopeBbox(): [number, number, number, number] | null {
    if (!geo.town) return null
    let bbox = geo.town.properties.bbox
    if (scope.current.kind === 'county') bbox = countyBbox() ?? bbox
    else if (scope.current.kind === 'town' && scope.current.id !== null) bbox = geo.towns?.towns.find((t) => t.id === scope.current.id)?.bbox ?? bbox
    else if (scope.current.kind === 'village') {
      const v = geo.villages?.features.find((f) => f.properties.id === scope.current.id)
      if (v) bbox = bboxOf(v.geometry)
    } else if (scope.current.kind === 'grid') {
      const g = geo.grids?.features.find((f) => f.properties.id === scope.current.id)
      if (g) bbox = bboxOf(g.geometry)
    }
    return bbox ? [bbox[0], bbox[1], bbox[2], bbox[3]] : null
  }

  /** the part of the map no docked panel covers, as maplibre's padding (visible-area.ts) */
  function visibleArea(m: maplibregl.Map, bbox: readonly number[], ids = DOCKED) {
    const c = m.getContainer()
    return visiblePadding(c.clientWidth, c.clientHeight, dockedRects(m, ids), mercatorAspect(bbox), Math.round(24 * scale()))
  }

  /** the camera was moved by hand since the last fit: a panel changing size leaves it where the person put it */
  let movedByHand = false
  /** fly to the selected scope, fitted to the visible part of the map (`duration` 0: at once) */
  function flyToScope(duration = 1200) {
    const m = map.value
    const bbox = scopeBbox()
    if (!m || !bbox) return // a town without an outline yet: nothing to fly to
    movedByHand = false
    m.fitBounds(bbox as [number, number, number, number], { padding: visibleArea(m, bbox), duration, maxZoom: 16.5 })
  }
  /**
   * The wall resized, or a docked panel grew (the orders' feed arrived) or shrank: the scope is
   * fitted again to what is visible now, unless someone moved the map, a truck is followed or
   * replayed, or a house is shown.
   */
  let refitTimer: ReturnType<typeof setTimeout> | undefined
  function refitSoon() {
    clearTimeout(refitTimer)
    refitTimer = setTimeout(() => {
      if (movedByHand || vehicles.followId !== null || playback.track || scope.householdId !== null) return
      flyToScope(0)
    }, 300)
  }
  // an observer reports each element once as it starts watching it: only a size that changed refits
  const sizes = new WeakMap<Element, string>()
  const panelWatch = typeof ResizeObserver === 'undefined'
    ? null
    : new ResizeObserver((entries) => {
        let changed = false
        for (const e of entries) {
          const size = `${Math.round(e.contentRect.width)}×${Math.round(e.contentRect.height)}`
          if (sizes.has(e.target) && sizes.get(e.target) !== size) changed = true
          sizes.set(e.target, size)
        }
        if (changed) refitSoon()
      })
  function watchDocked() {
    if (!panelWatch || !map.value) return
    panelWatch.disconnect()
    panelWatch.observe(map.value.getContainer())
    for (const id of DOCKED) {
      const el = document.querySelector(`[data-testid="${id}"]`)
      if (el) panelWatch.observe(el)
    }
  }

  /**
   * The house whose card is open (a search hit, or a click on the 户况图谱) is brought to the
   * middle of the visible map and marked with a pulsing ring, so a person sees which of the
   * grid's fifty houses it is.
   */
  let houseMarker: maplibregl.Marker | null = null
  watch(
    // the card's detail too: once it is drawn, the house moves out from under it
    () => [scope.householdId, households.points, households.detail] as const,
    ([id, points]) => {
      const m = map.value
      const house = id === null ? undefined : points?.features.find((f) => f.properties.id === id)
      if (!m || !house) {
        houseMarker?.remove()
        houseMarker = null
        return
      }
      const at = house.geometry.coordinates as [number, number]
      if (!houseMarker) {
        // maplibre places the marker by its element's transform: the ring pulses inside it
        const el = document.createElement('div')
        el.dataset.testid = 'house-marker'
        el.appendChild(document.createElement('div')).className = 'house-pulse'
        houseMarker = new maplibregl.Marker({ element: el })
      }
      houseMarker.setLngLat(at).addTo(m)
      // the middle of the visible part (an offset, not maplibre's padding, which would stay set)
      const p = visibleArea(m, [at[0], at[1], at[0], at[1]], [...DOCKED, 'household-card'])
      const camera = { center: at, zoom: Math.max(m.getZoom(), 17), offset: [(p.left - p.right) / 2, (p.top - p.bottom) / 2] as [number, number] }
      if (budget.slow) m.jumpTo(camera)
      else m.easeTo({ ...camera, duration: 900 })
    },
    { flush: 'post' },
  )

  function dispose(): void {
    houseMarker?.remove()
    clearTimeout(refitTimer)
    panelWatch?.disconnect()
  }
  /** a person's drag, wheel or pinch: a panel changing size no longer refits */
  const movedByPerson = () => (movedByHand = true)
  return { countyBbox, flyToScope, watchDocked, movedByPerson, dispose }
}
