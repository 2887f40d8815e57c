import { computed, onBeforeUnmount, onMounted, ref, shallowRef } from 'vue'
import { useAuthStore } from '../../shared/stores/auth.ts'
import { deleteItem, listItems, putItem, sendItem, type OutboxItem } from '../outbox.ts'

const SENT: Record<OutboxItem['kind'], string> = {
  report: '事件已上报', visit: '走访已记录', handle: '办理结果已提交', resident: '人员已登记', lifeEvent: '人口变动已记录', place: '住户已落图', dispute: '纠纷已登记',
}
const sentNotice = (i: OutboxItem) => (i.kind === 'visit' && (i.body.residentIds as number[] | undefined)?.length ? '随访已记录' : SENT[i.kind])

/**
 * The phone's outbox as the page sees it: what waits, what the server refused, and flush(), which
 * sends oldest first and stops at the first network failure. It tries on start, when the phone
 * says it is back online, and every 20 s (a phone may claim to be online while it is not).
 */
export function useOutbox(onSent: (item: OutboxItem) => void) {
  const auth = useAuthStore()
  const items = shallowRef<OutboxItem[]>([])
  const online = ref(navigator.onLine)
  const notice = ref<string | null>(null)
  const refused = computed(() => items.value.filter((i) => i.error))
  /** orders with a handling waiting to go: the to-do list marks them and offers no second one */
  const pendingOrders = computed(() => new Set(items.value.filter((i) => i.kind === 'handle' && !i.error).map((i) => Number(i.body.orderId))))
  /** what still waits to go (refused items are listed apart) */
  const waiting = computed(() => items.value.filter((i) => !i.error))

  let flushing = false
  // a flush asked for during one (the network back while a send was failing) runs once that one
  // ends: dropped, the outbox waited for the 20 s timer though the phone had said it was online
  let again = false
  async function flush(): Promise<void> {
    if (!auth.token) return
    if (flushing) return void (again = true)
    flushing = true
    again = false
    try {
      for (const item of await listItems()) {
        if (item.error) continue
        const { outcome, message } = await sendItem(item, auth.token, auth.user?.username ?? '')
        if (outcome === 'sent') {
          await deleteItem(item.clientKey)
          notice.value = sentNotice(item)
          onSent(item)
        } else if (outcome === 'refused') await putItem({ ...item, error: message ?? '服务器拒绝' })
        else if (outcome === 'signedOut') {
          auth.expire()
          break
        } else break
      }
    } finally {
      flushing = false
      items.value = await listItems()
    }
    if (again) await flush()
  }

  /** into the outbox first: closing the page or losing the network loses nothing */
  async function add(item: OutboxItem): Promise<void> {
    await putItem(item)
    items.value = await listItems()
    await flush()
  }

  async function discard(item: OutboxItem): Promise<void> {
    await deleteItem(item.clientKey)
    items.value = await listItems()
  }

  const goOnline = () => {
    online.value = true
    void flush()
  }
  const goOffline = () => (online.value = false)
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(async () => {
    window.addEventListener('online', goOnline)
    window.addEventListener('offline', goOffline)
    timer = setInterval(() => void flush(), 20_000)
    items.value = await listItems()
  })
  onBeforeUnmount(() => {
    window.removeEventListener('online', goOnline)
    window.removeEventListener('offline', goOffline)
    clearInterval(timer)
  })
  return { items, waiting, refused, pendingOrders, online, notice, flush, add, discard }
}
