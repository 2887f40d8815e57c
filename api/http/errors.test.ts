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
  expect(timeout.json()).toEqual({ statusCode: 504, error: 'Gateway Timeout', message: 'terminal 013800000001 did not answer within 10 s' })
  for (const url of ['/crash', '/library']) {
    const res = await a.inject(url)
    expect(res.statusCode).toBe(500)
    expect(res.json()).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error' })
  }
  await a.close()
})
