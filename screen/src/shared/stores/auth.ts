import { defineStore } from 'pinia'
import { ref } from 'vue'

const KEY = 'shuzhi.token'

export interface SignedInUser {
  id: number
  username: string
  displayName: string
  role: string
  villageId: number | null
  gridId: number | null
  departmentId: number | null
  /** how far the account reaches: a county-wide account's wall opens on the county */
  scope?: { level: string; townId?: number }
}

/** when to try again, as a person reads it: "请 30 秒后再试", "请 2 分钟后再试" */
const tryAgain = (seconds: number) => (!(seconds > 0) ? '请稍后再试' : `请 ${seconds < 60 ? `${seconds} 秒` : `${Math.ceil(seconds / 60)} 分钟`}后再试`)

/**
 * The bearer token. A wall is set up once with /#token=… (a display-role token, valid for a
 * year): the fragment never leaves the browser, so the token reaches no server log; it is
 * kept in localStorage and removed from the address bar at once, so it does not linger in
 * history or screenshots. A token from the address is accepted only for the display role:
 * a person's token in a link would be a sign-in anyone holding the link could reuse.
 */
export const useAuthStore = defineStore('auth', () => {
  const token = ref<string | null>(localStorage.getItem(KEY))
  const user = ref<SignedInUser | null>(null)
  const message = ref<string | null>(null)

  /**
   * A display link from the desk (/#pair=<one-time code>): the wall trades the code, once, for
   * the display account's session, saying which wall it is (`displayId`, the id it made), so the
   * link's name and tour are given to it. The code is in the fragment, so no server log has it.
   */
  async function pair(code: string, displayId: string): Promise<void> {
    const res = await fetch('/api/displays/pair', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code, displayId }),
    }).catch(() => null)
    if (!res?.ok) {
      message.value = res?.status === 401 ? '大屏链接无效、已使用或已过期，请在工作台“大屏管理”重新生成' : '大屏链接登录失败，请稍后重试'
      return
    }
    const body = (await res.json()) as { token: string; user: SignedInUser }
    user.value = body.user
    setToken(body.token)
  }

  async function consumeUrlToken(displayId?: () => string): Promise<void> {
    const url = new URL(window.location.href)
    const fragment = new URLSearchParams(url.hash.slice(1))
    const code = fragment.get('pair')
    if (code && displayId) {
      fragment.delete('pair')
      const rest = fragment.toString()
      window.history.replaceState(null, '', url.pathname + url.search + (rest ? `#${rest}` : ''))
      return pair(code, displayId())
    }
    const fromFragment = fragment.get('token')
    // an old /?token= link: the server has seen it already (and logged it redacted); not used
    const fromQuery = url.searchParams.get('token')
    if (!fromFragment && !fromQuery) return
    url.searchParams.delete('token')
    fragment.delete('token')
    const hash = fragment.toString()
    window.history.replaceState(null, '', url.pathname + url.search + (hash ? `#${hash}` : ''))
    if (!fromFragment) {
      message.value = '令牌不能放在 ?token= 中，请改用 #token= 地址'
      return
    }
    const res = await fetch('/api/auth/me', { headers: { Authorization: `Bearer ${fromFragment}` } }).catch(() => null)
    const who = res?.ok ? ((await res.json()) as SignedInUser) : null
    if (!who) {
      message.value = '地址中的令牌无效或已过期，请重新获取'
      return
    }
    if (who.role !== 'display') {
      message.value = '地址中的令牌只能用于大屏显示账号，请用账号密码登录'
      return
    }
    user.value = who
    setToken(fromFragment)
  }

  function setToken(t: string | null): void {
    token.value = t
    if (t) localStorage.setItem(KEY, t)
    else localStorage.removeItem(KEY)
  }

  async function login(username: string, password: string): Promise<boolean> {
    message.value = null
    const res = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
    if (!res.ok) {
      const code = ((await res.json().catch(() => null)) as { code?: string } | null)?.code
      message.value = res.status === 401 ? '用户名或密码错误'
        // this address (or any new one, under a spread-out guess) waits; the owner's usual one does not
        : code === 'login_throttled' ? `登录失败次数过多，${tryAgain(Number(res.headers.get('retry-after')))}`
        : res.status === 429 ? '尝试过于频繁，请稍后再试' : `登录失败 (${res.status})`
      return false
    }
    const body = (await res.json()) as { token: string; user: SignedInUser }
    user.value = body.user
    setToken(body.token)
    return true
  }

  /** the server refused the token: back to the sign-in page */
  function expire(): void {
    setToken(null)
    user.value = null
    message.value = '登录已过期，请重新登录'
  }

  async function logout(): Promise<void> {
    if (token.value) await fetch('/api/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${token.value}` } }).catch(() => {})
    setToken(null)
    user.value = null
  }

  /** who holds the token (a wall set up with /?token=… knows only the token) */
  async function loadUser(): Promise<void> {
    if (!token.value || user.value) return
    const res = await fetch('/api/auth/me', { headers: { Authorization: `Bearer ${token.value}` } }).catch(() => null)
    if (res?.ok) user.value = (await res.json()) as SignedInUser
  }

  return { token, user, message, consumeUrlToken, login, expire, logout, loadUser }
})
