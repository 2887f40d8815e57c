/**
 * What a terminal's alarm word means for the platform: the driver's emergency button (bit 0)
 * and the device faults a dispatcher must hear of. Every bit is decoded (location.ts); these
 * are the ones that raise alerts.
 */
import { AlarmBit, type AlarmFlags } from './location.ts'

/** faults that leave the truck unseen or unpowered, with the words the screens show */
export const FAULT_LABELS: Partial<Record<keyof typeof AlarmBit, string>> = {
  gnssModuleFault: 'GNSS 模块故障',
  gnssAntennaDisconnected: 'GNSS 天线未接或被剪断',
  gnssAntennaShortCircuit: 'GNSS 天线短路',
  mainPowerOff: '终端主电源掉电',
}

/** bits worth a look: the emergency button and the faults above */
export const WATCHED_ALARMS = (Object.keys(FAULT_LABELS) as (keyof typeof AlarmBit)[])
  .reduce((mask, k) => (mask | (1 << AlarmBit[k])) >>> 0, 1 << AlarmBit.emergency)

export const faultsOf = (flags: AlarmFlags): string[] =>
  (Object.keys(FAULT_LABELS) as (keyof typeof AlarmBit)[]).filter((k) => flags[k]).map((k) => FAULT_LABELS[k]!)
