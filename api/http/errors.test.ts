import Fastify from 'fastify'
import { expect, it } from 'vitest'
import { HttpError, registerErrorHandling } from './errors.ts'

function app() {
  const a = Fastify({ logger: false })
  registerErrorHandling(a)
  a.get('/timeout', async () => {
    throw new HttpError(504, 'terminal 013800000001 did not answer within 10 s')
  })
  a.get('/crash', async () => {
    throw new Error('connect ECONNREFUSED 10.0.0.5:5432 password=…')
  })
  a.get('/library', async () => {
    throw Object.assign(new Error('FST_ERR_SOMETHING: inner detail'), { statusCode: 500 })
  })
  return a
}

it('keeps the message of a deliberate 5xx (HttpError) and hides every other 5xx', async () => {
  const a = app()
  const timeout = await a.inject('/timeout')
  expect(timeout.statusCode).toBe(504)
  expect(timeout.json()).toEqual({ statusCode: 504, error: 'Gateway Timeout', code: 'timeout', message: 'terminal 013800000001 did not answer within 10 s' })
  for (const url of ['/crash', '/library']) {
    const res = await a.inject(url)
    expect(res.statusCode).toBe(500)
    expect(res.json()).toEqual({ statusCode: 500, error: 'Internal Server Error', code: 'internal', message: 'internal error' })
  }
  await a.close()
})

it('gives every refusal a stable code: its own, Fastify\'s, or the status\'s', async () => {
  const a = Fastify({ logger: false })
  registerErrorHandling(a)
  a.get('/taken', async () => {
    throw new HttpError(409, 'body/idNumber is already registered', 'id_number_taken')
  })
  a.get('/taken-here', async () => {
    throw new HttpError(409, 'body/idNumber belongs to a resident of household 12', 'id_number_taken', { householdId: 12, code: 'spoofed' })
  })
  a.get('/plain', async () => {
    throw new HttpError(403, 'role display may not read audit')
  })
  a.post('/json', async () => 'ok')
  expect((await a.inject('/taken')).json()).toEqual({ statusCode: 409, error: 'Conflict', code: 'id_number_taken', message: 'body/idNumber is already registered' })
  // structured fields beside the message, never in place of the uniform ones
  expect((await a.inject('/taken-here')).json()).toEqual({ statusCode: 409, error: 'Conflict', code: 'id_number_taken', message: 'body/idNumber belongs to a resident of household 12', householdId: 12 })
  expect((await a.inject('/plain')).json()).toMatchObject({ statusCode: 403, code: 'forbidden' })
  const media = await a.inject({ method: 'POST', url: '/json', headers: { 'content-type': 'application/x-unknown' }, payload: 'x' })
  expect(media.statusCode).toBe(415)
  expect(media.json().code).toBe('FST_ERR_CTP_INVALID_MEDIA_TYPE')
  await a.close()
})
