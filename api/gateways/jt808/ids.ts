/** Message ids handled by the codec; the standard has many more. */
export const MsgId = {
  terminalResponse: 0x0001,
  heartbeat: 0x0002,
  logout: 0x0003,
  registration: 0x0100,
  authentication: 0x0102,
  locationReport: 0x0200,
  locationQueryResponse: 0x0201,
  batchLocation: 0x0704,
  platformResponse: 0x8001,
  registrationResponse: 0x8100,
  locationQuery: 0x8201,
  textMessage: 0x8300,
} as const

export type MsgIdName = keyof typeof MsgId
export type KnownMsgId = (typeof MsgId)[MsgIdName]

/** Message ids of the fleet functions: snapshots, parameters, tracking, alarm confirmation. */
export const FleetMsgId = {
  parametersResponse: 0x0104,
  mediaEvent: 0x0800,
  mediaData: 0x0801,
  cameraResponse: 0x0805,
  resendRequest: 0x8003,
  setParameters: 0x8103,
  queryParameters: 0x8104,
  trackingControl: 0x8202,
  alarmConfirmation: 0x8203,
  mediaUploadResponse: 0x8800,
  snapshot: 0x8801,
} as const
