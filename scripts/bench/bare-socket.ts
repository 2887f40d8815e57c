// The baseline for the live fan-out benchmark: a bare socket.io server with no logic. It
// takes the same POSTed batches and emits each one to every client as it arrives: no
// database, no validation, no scopes, no coalescing.
import { createServer } from 'node:http'
import { Server } from 'socket.io'

const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200).end('ok')
    return
  }
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { positions: unknown[] }
    io.emit('positions', body.positions)
    res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: body.positions.length }))
  })
})
const io = new Server(server, { serveClient: false })
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'))
