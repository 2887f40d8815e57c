// The fleet register (车辆与设施): what the API, the desk and the imports share about trucks,
// collection points and transfer stations as managed things.

/** The sanitation vehicles a township runs; every kind is followed, judged and dispatched alike. */
export const VEHICLE_KINDS = [
  { value: 'garbageTruck', label: '垃圾清运车' },
  { value: 'compactor', label: '压缩式垃圾车' },
  { value: 'hookLift', label: '勾臂式垃圾车' },
  { value: 'bucketLoader', label: '挂桶式垃圾车' },
  { value: 'kitchenWaste', label: '餐厨垃圾车' },
  { value: 'sweeper', label: '洗扫车' },
  { value: 'sprinkler', label: '洒水车' },
] as const
export type VehicleKind = (typeof VEHICLE_KINDS)[number]['value']
export const vehicleKindLabel = (k: string): string => VEHICLE_KINDS.find((x) => x.value === k)?.label ?? k
/** 车辆类型 as a sheet says it: the label, the English name, or the label without 车 (压缩式垃圾) */
export function vehicleKindOf(text: string): VehicleKind | null {
  const t = text.trim()
  const hit = VEHICLE_KINDS.find((k) => k.value === t || k.label === t || k.label.replace(/车$/, '') === t)
  return hit ? hit.value : null
}

const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼'
// letters on plates never include I or O (read as 1 and 0)
const L = 'A-HJ-NP-Z'
/** 7 characters: 省 + 发牌机关 letter + 5 (the last may be 挂 for a trailer, 学 for a driving school, 警 for police) */
const REGULAR = new RegExp(`^[${PROVINCES}][${L}][${L}0-9]{4}[${L}0-9挂学警]$`)
/** 8 characters, new energy (绿牌): small cars D/F then 5, large vehicles 5 digits then D/F */
const NEW_ENERGY = new RegExp(`^[${PROVINCES}][${L}](?:[DF][${L}0-9][0-9]{4}|[0-9]{5}[DF])$`)

/** A plate as people type it: no blanks, dots or dashes, half-width, upper case (鲁q·d1234 → 鲁QD1234). */
export function plateKey(text: string): string {
  return text
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s·•.\-－‧・]/g, '')
    .toUpperCase()
}

/**
 * A Chinese plate in the form the register keeps (鲁Q·D1234, the province and issuing letter
 * before the dot), or null when it is not one: 7 characters, or 8 for a new-energy plate.
 */
export function normalPlate(text: string): string | null {
  const k = plateKey(text)
  if (!REGULAR.test(k) && !NEW_ENERGY.test(k)) return null
  return `${k.slice(0, 2)}·${k.slice(2)}`
}

export const PLATE_RULE = '省份简称 + 字母 + 5 位（新能源 6 位）, e.g. 鲁Q·D1234 or 鲁Q·D12345'

/** A truck in the register: who drives it and what it serves, with its state. */
export interface RegisteredVehicle {
  id: number
  plate: string
  kind: VehicleKind
  name: string
  driverName: string
  /** masked (138****5678) for roles that see the fleet but not drivers' phones */
  driverPhone: string | null
  villageId: number | null
  villageName: string | null
  townId: number | null
  townName: string | null
  /** the bound JT/T 808 terminal's phone, if any */
  terminal: string | null
  /** it has fixes, alerts or dispatch orders: retired, never deleted */
  hasHistory: boolean
  retiredAt: string | null
}

export interface RegisteredPoint {
  id: number
  name: string
  lon: number
  lat: number
  retiredAt: string | null
}

export interface RegisteredCollectionPoint extends RegisteredPoint {
  villageId: number
  villageName: string
  gridId: number
  gridName: string
  /** 垃圾桶数 */
  bins: number
}
