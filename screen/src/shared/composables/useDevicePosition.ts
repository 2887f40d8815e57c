import { ref } from 'vue'

/**
 * The phone's own position (WGS-84, as the Geolocation API gives and the server stores): a
 * resident's report, a grid worker placing a household at its door. Browsers allow it only on
 * HTTPS or localhost; on a plain-HTTP intranet address the user is told so and taps the map instead.
 */
export function useDevicePosition(onFix: (lonLat: [number, number]) => void) {
  const locating = ref(false)
  const message = ref<string | null>(null)

  function locate(): void {
    message.value = null
    if (!window.isSecureContext || !navigator.geolocation) {
      message.value = '当前网址不支持定位（需 HTTPS），请在地图上点选位置'
      return
    }
    locating.value = true
    navigator.geolocation.getCurrentPosition(
      (p) => {
        locating.value = false
        onFix([Number(p.coords.longitude.toFixed(7)), Number(p.coords.latitude.toFixed(7))])
      },
      (e) => {
        locating.value = false
        message.value = e.code === e.PERMISSION_DENIED ? '没有定位权限，请在地图上点选位置' : '暂时无法定位，请在地图上点选位置'
      },
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 30_000 },
    )
  }
  return { locating, message, locate }
}
