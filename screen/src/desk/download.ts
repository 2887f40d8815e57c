/** Saves a Blob made or fetched in the page as a file (the browser's own download). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.style.display = 'none'
  document.body.append(a)
  a.click()
  a.remove()
  // the download has taken the bytes by the next turn; the URL is not needed after
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
