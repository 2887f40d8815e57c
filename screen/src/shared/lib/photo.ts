/**
 * Phone photos are large (4000 px, several MB) and carry EXIF (the GPS position, the device's
 * serial). Drawing one onto a canvas and encoding it again gives a 1920 px JPEG that sends on a
 * weak network and has no EXIF at all, so nothing beyond the pixels leaves the phone. If the
 * browser cannot decode it, the file goes as it is: the server decodes and checks it anyway.
 */
export async function shrinkPhoto(file: Blob, maxSide = 1920): Promise<Blob> {
  try {
    const bitmap = await createImageBitmap(file)
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height))
    const canvas = document.createElement('canvas')
    canvas.width = Math.round(bitmap.width * scale)
    canvas.height = Math.round(bitmap.height * scale)
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
    bitmap.close()
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode'))), 'image/jpeg', 0.85))
  } catch {
    return file
  }
}
