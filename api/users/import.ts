import ExcelJS from 'exceljs'
import type { Db } from '../db/types.ts'
import { HttpError } from '../http/errors.ts'
import { hashPassword, randomPassword } from '../auth/password.ts'
import { insertUsers } from '../auth/repository.ts'
import type { Table } from '../imports/table-reader.ts'
import { checkAccountRows, type AccountRow, type RowError } from './import-rows.ts'

export interface ImportedAccount {
  row: number
  username: string
  displayName: string
  role: string
  scope: string
  /** the one-time password, in the apply's answer only: stored hashed, never logged, never shown again */
  password?: string
}

export interface UserImportReport {
  rows: number
  created: number
  dryRun: boolean
  errors: RowError[]
  accounts: ImportedAccount[]
  /** the applied accounts with their passwords as an XLSX sheet (base64), for the admin to hand out */
  sheet?: string
}

/** scrypt runs on libuv's four threads; two at a time leave the others to files and zips */
const HASHING = 2

async function hashAll(passwords: string[]): Promise<string[]> {
  const out: string[] = new Array(passwords.length)
  let next = 0
  const worker = async () => {
    while (next < passwords.length) {
      const i = next++
      out[i] = await hashPassword(passwords[i])
    }
  }
  await Promise.all(Array.from({ length: HASHING }, worker))
  return out
}

const ROLE_LABELS: Record<string, string> = {
  admin: '系统管理员', leader: '镇领导', villageCadre: '村干部', gridWorker: '网格员', dispatcher: '指挥中心调度员', display: '大屏显示', department: '县直部门',
}

/** The accounts and their one-time passwords, as the sheet the admin prints or passes on. */
export async function passwordSheet(accounts: ImportedAccount[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook()
  const sheet = book.addWorksheet('一次性密码')
  sheet.columns = [
    { header: '行号', key: 'row', width: 8 }, { header: '账号', key: 'username', width: 20 }, { header: '姓名', key: 'displayName', width: 14 },
    { header: '角色', key: 'role', width: 16 }, { header: '范围', key: 'scope', width: 24 }, { header: '一次性密码', key: 'password', width: 22 },
  ]
  for (const a of accounts) sheet.addRow({ ...a, role: ROLE_LABELS[a.role] ?? a.role })
  sheet.getRow(1).font = { bold: true }
  return Buffer.from(await book.xlsx.writeBuffer())
}

const shown = (a: AccountRow): ImportedAccount => ({ row: a.row, username: a.username, displayName: a.displayName, role: a.role, scope: a.scope })

/**
 * 账号批量导入: every row checked first (422 names the bad ones by line), nothing written on a dry
 * run; otherwise all accounts in one transaction or none, each with its own random password
 * (hashed with its own salt), and each grid worker's grid gets her name and phone for its card.
 */
export async function importUsers(db: Db, table: Table, dryRun: boolean): Promise<UserImportReport> {
  const { accounts, errors } = await checkAccountRows(db, table)
  const report: UserImportReport = { rows: table.rows.length, created: 0, dryRun, errors, accounts: [] }
  if (errors.length) return report
  if (dryRun) return { ...report, accounts: accounts.map(shown) }
  const passwords = accounts.map(() => randomPassword())
  const hashes = await hashAll(passwords)
  await db.transaction(async (tx) => {
    await insertUsers(tx, accounts.map((a, i) => ({
      username: a.username, displayName: a.displayName, role: a.role, villageId: a.villageId, gridId: a.gridId, departmentId: a.departmentId, townId: a.townId,
      passwordHash: hashes[i],
    })))
    const workers = accounts.filter((a) => a.gridId !== null)
    if (workers.length) {
      await tx.query(
        `UPDATE grids g SET grid_worker_name = w.name, grid_worker_phone = w.phone
           FROM unnest($1::int[], $2::text[], $3::text[]) AS w(id, name, phone) WHERE g.id = w.id`,
        [workers.map((w) => w.gridId), workers.map((w) => w.displayName), workers.map((w) => w.phone)],
      )
    }
  }).catch((err: { code?: string }) => {
    // an account of the same name made between the check and now
    if (err.code === '23505') throw new HttpError(409, 'an account in the file was created by someone else meanwhile; check the file again', 'username_taken')
    throw err
  })
  const made = accounts.map((a, i) => ({ ...shown(a), password: passwords[i] }))
  return { ...report, created: made.length, accounts: made, sheet: (await passwordSheet(made)).toString('base64') }
}
