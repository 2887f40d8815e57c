/**
 * The simulated trucks' cameras: a generated JPEG with the truck, the time and the channel
 * drawn on it, so a 拍照 on the demo shows which truck answered and when.
 */
import sharp from 'sharp'

const beijing = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19)

export async function cameraPicture(vehicleId: number, channel: number, now = new Date()): Promise<Buffer> {
  const hue = (vehicleId * 47) % 360
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${hue},45%,62%)"/><stop offset="1" stop-color="hsl(${hue},30%,88%)"/></linearGradient></defs>
    <rect width="640" height="480" fill="url(#sky)"/>
    <rect y="330" width="640" height="150" fill="#5b6470"/>
    <rect y="398" width="640" height="6" fill="#e8e8e8" stroke-dasharray="40 30"/>
    <g transform="translate(150,200)">
      <rect x="0" y="20" width="250" height="130" rx="10" fill="#2f8f5b"/>
      <rect x="250" y="60" width="100" height="90" rx="10" fill="#e0a030"/>
      <rect x="268" y="72" width="62" height="36" rx="4" fill="#cfe8ff"/>
      <circle cx="60" cy="160" r="28" fill="#222"/><circle cx="300" cy="160" r="28" fill="#222"/>
      <text x="125" y="100" font-size="34" font-family="Noto Sans CJK SC, sans-serif" fill="#fff" text-anchor="middle">No.${vehicleId}</text>
    </g>
    <rect x="0" y="0" width="640" height="44" fill="rgba(0,0,0,0.55)"/>
    <text x="14" y="30" font-size="24" font-family="Noto Sans Mono, monospace" fill="#fff">CH${channel}  ${beijing(now)}</text>
    <text x="626" y="30" font-size="24" font-family="Noto Sans CJK SC, sans-serif" fill="#fff" text-anchor="end">${vehicleId} 号车</text>
  </svg>`
  return sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer()
}
