// The emergency alarm's sound: a siren-like sweep made with WebAudio (no audio file to ship),
// repeated by the banners (wall and desk) while an emergency waits. A browser lets a page sound only after a
// click on it; a wall that was never touched shows the banner silently.
let ctx: AudioContext | null = null

export function alarmSound(): void {
  try {
    ctx ??= new AudioContext()
    if (ctx.state === 'suspended') void ctx.resume()
    const t = ctx.currentTime
    const osc = ctx.createOscillator()
    const gain = ctx.createGain()
    osc.type = 'square'
    osc.frequency.setValueAtTime(660, t)
    osc.frequency.linearRampToValueAtTime(990, t + 0.45)
    osc.frequency.linearRampToValueAtTime(660, t + 0.9)
    gain.gain.setValueAtTime(0.0001, t)
    gain.gain.exponentialRampToValueAtTime(0.18, t + 0.03)
    gain.gain.setValueAtTime(0.18, t + 0.85)
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.9)
    osc.connect(gain).connect(ctx.destination)
    osc.start(t)
    osc.stop(t + 0.92)
  } catch {
    /* no audio device: the banner still shows */
  }
}
