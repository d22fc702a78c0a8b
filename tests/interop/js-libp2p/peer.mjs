// js-libp2p peer the C# interop tests start. One JSON argument configures it:
//   {"mode":"listen"|"dial", "key":"ed25519"|"secp256k1", "muxers":["yamux","mplex"], "target":"<multiaddr>",
//    "bench": <bytes>}
// It prints one JSON object per line on stdout: {"event":"listening",...} first in listen mode,
// {"event":"identify",...} for every peer identified, and {"event":"result",...} at the end of dial mode.
import { createHash } from 'node:crypto'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { mplex } from '@libp2p/mplex'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'

const config = JSON.parse(process.argv[2] ?? '{}')
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const step = (s) => process.stderr.write(`step: ${s}\n`)
const muxerFactories = { yamux: () => yamux(), mplex: () => mplex() }
const streamOptions = { maxInboundStreams: 512, maxOutboundStreams: 512 }

// Deterministic payload both sides can regenerate: byte k = (k * 31 + (k >>> 8)) & 0xff.
function pattern (offset, length) {
  const b = new Uint8Array(length)
  for (let i = 0; i < length; i++) { const k = offset + i; b[i] = (k * 31 + (k >>> 8)) & 0xff }
  return b
}

async function * chunks (total, size = 64 * 1024) {
  for (let sent = 0; sent < total; sent += size) yield pattern(sent, Math.min(size, total - sent))
}

const node = await createLibp2p({
  privateKey: await generateKeyPair(config.key === 'secp256k1' ? 'secp256k1' : 'Ed25519'),
  addresses: { listen: config.mode === 'listen' ? ['/ip4/127.0.0.1/tcp/0'] : [] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: (config.muxers ?? ['yamux', 'mplex']).map(m => muxerFactories[m]()),
  services: { identify: identify({ timeout: 10000 }), ping: ping() },
  connectionManager: { inboundConnectionThreshold: 10000, maxIncomingPendingConnections: 1000, maxConnections: 1000 }
})

node.addEventListener('peer:identify', (evt) => {
  const d = evt.detail
  out({ event: 'identify', peer: d.peerId.toString(), agent: d.agentVersion, protocolVersion: d.protocolVersion, protocols: d.protocols, listenAddrs: d.listenAddrs.map(a => a.toString()) })
})

await node.handle('/test/echo/1.0.0', async ({ stream }) => {
  await stream.sink(stream.source)
}, streamOptions)

await node.handle('/test/sha256/1.0.0', async ({ stream }) => {
  const hash = createHash('sha256')
  let total = 0
  for await (const chunk of stream.source) { const b = chunk.subarray(); total += b.length; hash.update(b) }
  const digest = hash.digest()
  const len = Buffer.alloc(8); len.writeBigUInt64BE(BigInt(total))
  await stream.sink([Buffer.concat([digest, len])])
}, streamOptions)

await node.handle('/test/source/1.0.0', async ({ stream }) => {
  // Request: 8-byte big-endian length; answer: that many pattern bytes, then close.
  let header = new Uint8Array(0)
  for await (const chunk of stream.source) {
    header = Buffer.concat([header, chunk.subarray()])
    if (header.length >= 8) break
  }
  const total = Number(Buffer.from(header).readBigUInt64BE(0))
  await stream.sink(chunks(total))
}, streamOptions)

await node.handle('/test/reset/1.0.0', async ({ stream }) => {
  // Send 1 MiB, then abort the stream: the other side must see a reset mid-transfer. Stop producing after the
  // abort so no close frame can follow the reset.
  let sent = 0
  const done = stream.sink((async function * () {
    for await (const c of chunks(64 * 1024 * 1024)) {
      yield c
      sent += c.length
      if (sent >= 1024 * 1024) {
        setTimeout(() => stream.abort(new Error('test reset mid-transfer')), 0)
        await new Promise(() => {})
      }
    }
  })()).catch(() => {})
  await Promise.race([done, new Promise(resolve => setTimeout(resolve, 1000))])
}, streamOptions)

if (config.mode === 'listen') {
  out({ event: 'listening', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(a => a.toString()) })
  process.stdin.on('end', async () => { await node.stop(); process.exit(0) })
  process.stdin.resume()
} else {
  const result = { event: 'result' }
  const target = multiaddr(config.target)
  try {
    const identified = new Promise((resolve) => node.addEventListener('peer:identify', (e) => resolve(e.detail), { once: true }))
    const conn = await node.dial(target)
    step('dialled')
    result.muxer = conn.multiplexer
    const info = await Promise.race([identified, new Promise((_, reject) => setTimeout(() => reject(new Error('identify timeout')), 10000))])
    result.agent = info.agentVersion
    result.protocols = info.protocols
    step('identified')
    result.rtt = await node.services.ping.ping(target)

    step('pinged')
    // Echo through a protocol the C# side handles.
    const s = await node.dialProtocol(target, '/test/echo/1.0.0')
    const payload = pattern(0, 100000)
    const received = []
    await Promise.all([
      s.sink([payload]),
      (async () => { for await (const c of s.source) received.push(c.subarray()) })()
    ])
    result.echoOk = Buffer.compare(Buffer.concat(received), Buffer.from(payload)) === 0

    step('echoed')
    // 100 concurrent streams to the C# side, each echoed.
    const many = await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      const cs = await node.dialProtocol(target, '/test/echo/1.0.0')
      const data = pattern(i * 1000, 20000 + i)
      const got = []
      await Promise.all([
        cs.sink([data]),
        (async () => { for await (const c of cs.source) got.push(c.subarray()) })()
      ])
      return Buffer.compare(Buffer.concat(got), Buffer.from(data)) === 0
    }))
    result.concurrentOk = many.every(x => x)
    step('100 streams')
    // Upload 4 MiB to the C# sink, which answers with its SHA-256.
    const up = await node.dialProtocol(target, '/test/sha256/1.0.0')
    const answer = []
    await Promise.all([
      up.sink(chunks(config.upload ?? 4 * 1024 * 1024)),
      (async () => { for await (const c of up.source) answer.push(c.subarray()) })()
    ])
    const expected = createHash('sha256')
    for await (const c of chunks(config.upload ?? 4 * 1024 * 1024)) expected.update(c)
    result.uploadOk = Buffer.concat(answer).subarray(0, 32).equals(expected.digest())

    step('uploaded')
    // Reset a stream to the C# side mid-transfer.
    const r = await node.dialProtocol(target, '/test/sink/1.0.0')
    // mplex has no backpressure, so a timer would only fire after everything was queued: abort from inside the
    // source once 1 MiB is out, and stop producing so no close can follow the reset.
    let sent = 0
    const sinkDone = r.sink((async function * () {
      for await (const c of chunks(64 * 1024 * 1024)) {
        yield c
        sent += c.length
        if (sent >= 1024 * 1024) {
          setTimeout(() => r.abort(new Error('js resets mid-transfer')), 0)
          await new Promise(() => {})
        }
      }
    })()).catch(() => {})
    await Promise.race([sinkDone, new Promise(resolve => setTimeout(resolve, 1000))])
    result.resetSent = true
    await new Promise(resolve => setTimeout(resolve, 200))
  } catch (e) {
    result.error = String(e?.stack ?? e)
  }
  out(result)
  await node.stop()
  process.exit(0)
}
