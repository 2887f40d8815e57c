// The browser's own notification, for a desk whose tab is in the background when an emergency
// comes: the banner and the sound are there when the dispatcher looks, this reaches her in
// another tab or window. Permission is asked only on her click (开启通知), never on its own;
// refused or unsupported, the desk simply goes without.

export const notificationsSupported = (): boolean => typeof window !== 'undefined' && 'Notification' in window

/** 'default' until she answered; the button to ask shows only then */
export const notificationPermission = (): NotificationPermission | 'unsupported' =>
  notificationsSupported() ? Notification.permission : 'unsupported'

export async function askNotifications(): Promise<NotificationPermission | 'unsupported'> {
  if (!notificationsSupported()) return 'unsupported'
  try {
    return await Notification.requestPermission()
  } catch {
    return Notification.permission
  }
}

/** Shown only while the tab is hidden and permission was given; a click brings the desk forward. */
export function notifyInBackground(title: string, body: string, tag: string, onClick: () => void): void {
  if (!notificationsSupported() || Notification.permission !== 'granted' || !document.hidden) return
  try {
    const n = new Notification(title, { body, tag, requireInteraction: true })
    n.onclick = () => {
      window.focus()
      onClick()
      n.close()
    }
  } catch {
    /* some browsers allow notifications only from a service worker: the banner and the sound remain */
  }
}
