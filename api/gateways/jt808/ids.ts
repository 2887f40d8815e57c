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
