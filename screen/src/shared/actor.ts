/**
 * Who took a step, as people read it: the account's name and unit (王某（东王庄村委会）), the
 * name alone where it names the unit already (住建局报到账号), the system and a resident in
 * words, never a login. Null where nothing is known of the account (one removed since): the caller
 * shows what it has.
 */
export function actorText(h: { actor?: string; actorName?: string | null; actorUnit?: string | null }): string | null {
  if (h.actor === '#resident') return '群众'
  if (h.actor === 'system') return '系统（超期自动提级）'
  if (!h.actorName) return h.actorUnit ?? null
  if (!h.actorUnit || h.actorName.includes(h.actorUnit)) return h.actorName
  return `${h.actorName}（${h.actorUnit}）`
}
