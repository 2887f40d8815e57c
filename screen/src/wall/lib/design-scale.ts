// The screen is designed on a 1920×1080 frame in rem units. Instead of a CSS transform
// (blurry text and canvases, wrong mouse coordinates on the map), the root font size
// follows the wall: 1rem = 16 design px × min(width/1920, height/1080). Text is laid
// out at its real size and stays sharp; canvases size themselves to real pixels.
export const DESIGN_WIDTH = 1920
export const DESIGN_HEIGHT = 1080

export function designScale(width: number, height: number): number {
  return Math.min(width / DESIGN_WIDTH, height / DESIGN_HEIGHT)
}

export function applyDesignScale(): void {
  const apply = () => {
    const s = designScale(window.innerWidth, window.innerHeight)
    document.documentElement.style.fontSize = `${16 * s}px`
    document.documentElement.style.setProperty('--design-scale', String(s))
  }
  apply()
  window.addEventListener('resize', apply)
}
