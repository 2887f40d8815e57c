/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = '/' + encodeURIComponent(database)
  return u.toString()
}
