// Tours (轮播): a wall cycles through a list of scopes, each for its dwell time. The types as the
// API stores and sends them and the wall and desk read them (one definition for all three).

export interface TourStep {
  /** town | village:ID | grid:ID | vehicle:ID (follow a truck) */
  scope: string
  dwellSeconds: number
}
export interface TourSchedule {
  /** night mode from nightStart to nightEnd, Beijing time, 'HH:MM'; may run across midnight */
  nightStart: string
  nightEnd: string
  /** how much darker the wall gets at night: 0 … 0.8 */
  dim: number
}
export interface Tour {
  id: number
  name: string
  steps: TourStep[]
  schedule: TourSchedule | null
  updatedBy: string
  updatedAt: string
}
