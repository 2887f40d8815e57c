import { computed, type Ref } from 'vue'
import type { OutboxItem } from '../outbox.ts'
import type { LifeEventBody, NewResidentBody, PlaceBody } from '../outbox-population.ts'

export interface PendingPopulation {
  /** people registered on this phone, not yet on the server, by household */
  newResidents: Map<number, (NewResidentBody & { clientKey: string })[]>
  /** a life event waiting to go, by resident */
  events: Map<number, LifeEventBody>
  /** ledger people a follow-up waiting to go was about */
  followUps: Set<number>
  /** households with a visit waiting to go */
  visits: Set<number>
  /** households with a visit naming nobody waiting to go (it follows up everyone there) */
  wholeVisits: Set<number>
  /** households placed on this phone (待落图), not yet on the server */
  placed: Set<number>
  /** households with any write waiting to go */
  households: Set<number>
}

/** What the people and ledger lists mark 待发送: the outbox's waiting writes, by household and person. */
export function usePendingPopulation(waiting: Ref<OutboxItem[]>) {
  return computed<PendingPopulation>(() => {
    const p: PendingPopulation = { newResidents: new Map(), events: new Map(), followUps: new Set(), visits: new Set(), wholeVisits: new Set(), placed: new Set(), households: new Set() }
    for (const i of waiting.value) {
      if (i.kind === 'resident') {
        const b = i.body as unknown as NewResidentBody
        p.newResidents.set(b.householdId, [...(p.newResidents.get(b.householdId) ?? []), { ...b, clientKey: i.clientKey }])
        p.households.add(b.householdId)
      } else if (i.kind === 'lifeEvent') {
        const b = i.body as unknown as LifeEventBody
        p.events.set(b.residentId, b)
        p.households.add(b.fromHouseholdId)
        if (b.householdId !== undefined) p.households.add(b.householdId)
      } else if (i.kind === 'place') {
        const b = i.body as unknown as PlaceBody
        p.placed.add(b.householdId)
        p.households.add(b.householdId)
      } else if (i.kind === 'visit') {
        const hid = Number(i.body.householdId)
        p.visits.add(hid)
        p.households.add(hid)
        const named = (i.body.residentIds as number[] | undefined) ?? []
        for (const r of named) p.followUps.add(r)
        if (!named.length) p.wholeVisits.add(hid)
      }
    }
    return p
  })
}
