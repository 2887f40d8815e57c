import { onBeforeUnmount, ref, watch, type Ref } from 'vue'

export interface CameraStream {
  format: 'hls' | 'flv'
  url: string
}

/**
 * Plays a camera's intranet stream in a <video>: HLS natively where the browser can (Safari,
 * recent Chromium), else through hls.js; HTTP-FLV through mpegts.js (Media Source Extensions).
 * Both libraries are loaded only when a camera is opened, so the wall's own bundle stays as it
 * was. Their workers are off: they would start from blob: URLs for nothing a single live picture
 * needs. `failed` says the stream could not be opened (the gateway did not answer, no video there,
 * or a browser without Media Source Extensions); `unsupported` that this browser cannot play it.
 */
export function useStreamPlayer(video: Ref<HTMLVideoElement | undefined>, stream: Ref<CameraStream | null>) {
  const failed = ref(false)
  const unsupported = ref(false)
  let stop: (() => void) | null = null
  let generation = 0

  function teardown(): void {
    stop?.()
    stop = null
  }

  async function start(el: HTMLVideoElement, s: CameraStream, mine: number): Promise<void> {
    if (s.format === 'hls' && el.canPlayType('application/vnd.apple.mpegurl') !== '') {
      el.src = s.url
      stop = () => { el.removeAttribute('src'); el.load() }
      return
    }
    if (s.format === 'hls') {
      const { default: Hls } = await import('hls.js')
      if (mine !== generation) return
      if (!Hls.isSupported()) return void (unsupported.value = true)
      const hls = new Hls({ enableWorker: false, lowLatencyMode: true, manifestLoadingMaxRetry: 2 })
      hls.on(Hls.Events.ERROR, (_e, data) => { if (data.fatal) failed.value = true })
      hls.loadSource(s.url)
      hls.attachMedia(el)
      stop = () => hls.destroy()
      return
    }
    const { default: mpegts } = await import('mpegts.js')
    if (mine !== generation) return
    if (!mpegts.getFeatureList().mseLivePlayback) return void (unsupported.value = true)
    const player = mpegts.createPlayer({ type: 'flv', isLive: true, url: s.url }, { enableWorker: false, lazyLoad: false })
    player.on(mpegts.Events.ERROR, () => (failed.value = true))
    player.attachMediaElement(el)
    player.load()
    void Promise.resolve(player.play()).catch(() => undefined)
    stop = () => { player.pause(); player.unload(); player.detachMediaElement(); player.destroy() }
  }

  // another camera: try afresh. Flags are reset only here: a card that hides its <video> on a
  // failure must not, by that, clear the failure and try again in a loop.
  watch(stream, () => {
    failed.value = false
    unsupported.value = false
  })
  watch([video, stream], ([el, s]) => {
    teardown()
    generation += 1
    if (!el || !s) return
    start(el, s, generation).catch(() => (failed.value = true))
  }, { immediate: true, flush: 'post' })
  onBeforeUnmount(() => {
    generation += 1
    teardown()
  })

  return { failed, unsupported }
}
