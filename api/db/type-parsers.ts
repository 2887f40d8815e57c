// Both engines must hand identical JS values to the repositories, so counts and sums
// arrive as numbers (not bigint/string) and calendar dates as 'YYYY-MM-DD' strings
// (not Date objects shifted by the server's time zone).
export const OID = { INT8: 20, NUMERIC: 1700, DATE: 1082 } as const

export const parseInt8 = (v: string): number => Number(v)
export const parseNumeric = (v: string): number => Number(v)
export const parseDate = (v: string): string => v
