// A short two-tone chime made with WebAudio: no audio file to ship or fetch. Browsers let a page
// play sound only after the user has interacted with it, so the context is created lazily (the
// sign-in click counts) and a chime that is not allowed yet is simply skipped.
let ctx: AudioContext | null = null

export function beep(): void {
  try {
    ctx ??= new AudioContext()
    if (ctx.state === 'suspended') void ctx.resume()
    const t = ctx.currentTime
    for (const [i, freq] of [880, 1175].entries()) {
      const osc = ctx.createOscillator()
      const gain = ctx.createGain()
      osc.type = 'sine'
      osc.frequency.value = freq
      gain.gain.setValueAtTime(0.0001, t + i * 0.16)
      gain.gain.exponentialRampToValueAtTime(0.25, t + i * 0.16 + 0.02)
      gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.16 + 0.15)
      osc.connect(gain).connect(ctx.destination)
      osc.start(t + i * 0.16)
      osc.stop(t + i * 0.16 + 0.16)
    }
  } catch {
    /* no audio device: the badge still shows */
  }
}
