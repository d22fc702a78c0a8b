// js-libp2p 2.10 peer serving Waku store v3 (/vac/waku/store-query/3.0.0) from a JSON message file, for the C#
// store interop tests. Protobuf is encoded and decoded by hand here (independent of Google.Protobuf), field for
// field as in shared/reference/nwaku-store-format.md §5.5, and the message hash is computed here as nwaku does
// (SHA-256 of pubsubTopic ‖ payload ‖ contentTopic ‖ meta ‖ uint64-BE timestamp).
//
// One JSON argument configures it:
//   {"messages": "<path to JSON file>", "fault": null | "garbage" | "reset" | "slow" | "oversize" | "wrong-hash" |
//    "endless" | "status", "faultPage": 2, "delayMs": 5000, "wrongHashes": [indices], "status": 429,
//    "requireRequestId": true}
// Message file: [{"pubsubTopic", "contentTopic", "payload" (base64), "version", "timestamp" (decimal string, ns),
//                 "meta" (base64, optional)}]
// stdout, one JSON object a line: {"event":"listening",...}, then {"event":"request",...} per request received.
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { mplex } from '@libp2p/mplex'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { generateKeyPair } from '@libp2p/crypto/keys'

const STORE_V3 = '/vac/waku/store-query/3.0.0'
const config = JSON.parse(process.argv[2] ?? '{}')
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')

// ---- protobuf, by hand ----
function varint (n) {
  let v = BigInt(n); const b = []
  do { let byte = Number(v & 0x7fn); v >>= 7n; if (v > 0n) byte |= 0x80; b.push(byte) } while (v > 0n)
  return Buffer.from(b)
}
const zigzag = (n) => { const v = BigInt(n); return v >= 0n ? v << 1n : ((-v) << 1n) - 1n }
const unzigzag = (v) => (v & 1n) ? -((v + 1n) >> 1n) : v >> 1n
const tag = (field, wire) => varint((field << 3) | wire)
const fBytes = (field, b) => Buffer.concat([tag(field, 2), varint(b.length), Buffer.from(b)])
const fString = (field, s) => fBytes(field, Buffer.from(s, 'utf8'))
const fVarint = (field, v) => Buffer.concat([tag(field, 0), varint(v)])

function readVarint (buf, pos) {
  let result = 0n; let shift = 0n
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint')
    const b = buf[pos++]; result |= BigInt(b & 0x7f) << shift; shift += 7n
    if ((b & 0x80) === 0) return [result, pos]
    if (shift > 63n) throw new Error('varint too long')
  }
}

function decodeFields (buf) {
  const fields = []; let pos = 0
  while (pos < buf.length) {
    let key; [key, pos] = readVarint(buf, pos)
    const field = Number(key >> 3n); const wire = Number(key & 7n)
    if (wire === 0) { let v; [v, pos] = readVarint(buf, pos); fields.push({ field, value: v }) } else if (wire === 2) {
      let len; [len, pos] = readVarint(buf, pos); const end = pos + Number(len)
      if (end > buf.length) throw new Error('truncated field')
      fields.push({ field, value: buf.subarray(pos, end) }); pos = end
    } else if (wire === 1) { pos += 8 } else if (wire === 5) { pos += 4 } else throw new Error('bad wire type ' + wire)
  }
  return fields
}

function decodeRequest (buf) {
  const r = { contentTopics: [], messageHashes: [] }
  for (const { field, value } of decodeFields(buf)) {
    switch (field) {
      case 1: r.requestId = value.toString('utf8'); break
      case 2: r.includeData = value !== 0n; break
      case 10: r.pubsubTopic = value.toString('utf8'); break
      case 11: r.contentTopics.push(value.toString('utf8')); break
      case 12: r.timeStart = unzigzag(value); break
      case 13: r.timeEnd = unzigzag(value); break
      case 20: r.messageHashes.push(Buffer.from(value).toString('hex')); break
      case 51: r.cursor = Buffer.from(value).toString('hex'); break
      case 52: r.forward = value !== 0n; break
      case 53: r.limit = Number(value); break
    }
  }
  return r
}

// nwaku writes payload (1) and content_topic (2) even when empty (§5.1).
function encodeWakuMessage (m) {
  const parts = [fBytes(1, m.payload), fString(2, m.contentTopic), fVarint(3, m.version)]
  parts.push(fVarint(10, zigzag(m.timestamp)))
  if (m.meta) parts.push(fBytes(11, m.meta))
  return Buffer.concat(parts)
}

function encodeResponse ({ requestId, status, desc, entries = [], cursor, includeData }) {
  const parts = [fString(1, requestId), fVarint(10, status), fString(11, desc)]
  for (const m of entries) {
    const kv = [fBytes(1, m.claimedHash ?? m.hash)]
    if (includeData) { kv.push(fBytes(2, encodeWakuMessage(m))); kv.push(fString(3, m.pubsubTopic)) }
    parts.push(fBytes(20, Buffer.concat(kv)))
  }
  if (cursor) parts.push(fBytes(51, cursor))
  return Buffer.concat(parts)
}

const frame = (body) => Buffer.concat([varint(body.length), body])

// ---- the store ----
function messageHash (m) {
  const ts = Buffer.alloc(8); ts.writeBigUInt64BE(BigInt.asUintN(64, m.timestamp))
  return createHash('sha256').update(Buffer.from(m.pubsubTopic, 'utf8')).update(m.payload)
    .update(Buffer.from(m.contentTopic, 'utf8')).update(m.meta ?? Buffer.alloc(0)).update(ts).digest()
}

const wrong = new Set(config.wrongHashes ?? [])
const store = (config.messages ? JSON.parse(readFileSync(config.messages, 'utf8')) : []).map((j, i) => {
  const m = { pubsubTopic: j.pubsubTopic, contentTopic: j.contentTopic, payload: Buffer.from(j.payload ?? '', 'base64'), version: j.version ?? 0, timestamp: BigInt(j.timestamp ?? 0), meta: j.meta ? Buffer.from(j.meta, 'base64') : null }
  m.hash = messageHash(m)
  if (config.fault === 'wrong-hash' && wrong.has(i)) {
    // The node claims the true hash but serves a tampered payload.
    m.claimedHash = m.hash; m.payload = Buffer.concat([m.payload, Buffer.from('tampered')])
  }
  return m
})
// nwaku's order: ascending (timestamp, hash).
store.sort((a, b) => a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : Buffer.compare(a.hash, b.hash))

function answer (req) {
  if (!req.requestId) return { requestId: 'N/A', status: 400, desc: 'request_id is required' }
  const idOf = (m) => (m.claimedHash ?? m.hash).toString('hex')
  let matching = store.filter(m =>
    (req.pubsubTopic === undefined || m.pubsubTopic === req.pubsubTopic) &&
    (req.contentTopics.length === 0 || req.contentTopics.includes(m.contentTopic)) &&
    (req.timeStart === undefined || m.timestamp >= req.timeStart) &&
    (req.timeEnd === undefined || m.timestamp <= req.timeEnd) &&
    (req.messageHashes.length === 0 || req.messageHashes.includes(idOf(m))))
  const limit = Math.min(req.limit || 20, 100)
  const forward = req.forward === true
  let page; let more
  if (forward) {
    let start = 0
    if (req.cursor) { const i = matching.findIndex(m => idOf(m) === req.cursor); if (i < 0) { if (config.fault === 'endless') return { requestId: req.requestId, status: 200, desc: 'OK', entries: [] }; return { requestId: req.requestId, status: 400, desc: 'cursor not found' } } start = i + 1 }
    page = matching.slice(start, start + limit); more = start + limit < matching.length
  } else {
    let end = matching.length
    if (req.cursor) { const i = matching.findIndex(m => idOf(m) === req.cursor); if (i < 0) return { requestId: req.requestId, status: 400, desc: 'cursor not found' }; end = i }
    page = matching.slice(Math.max(0, end - limit), end); more = end - limit > 0
  }
  const boundary = forward ? page[page.length - 1] : page[0]
  return { requestId: req.requestId, status: 200, desc: 'OK', entries: page, cursor: more && boundary ? (boundary.claimedHash ?? boundary.hash) : undefined, includeData: req.includeData === true }
}

async function readFrame (source) {
  let buf = Buffer.alloc(0)
  for await (const chunk of source) {
    buf = Buffer.concat([buf, chunk.subarray()])
    try {
      const [len, pos] = readVarint(buf, 0)
      if (buf.length >= pos + Number(len)) return buf.subarray(pos, pos + Number(len))
    } catch (e) { if (!/truncated/.test(e.message)) throw e }
  }
  throw new Error('stream ended before a whole request')
}

const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms))
let requests = 0
const faultPage = config.faultPage ?? 2

const node = await createLibp2p({
  privateKey: await generateKeyPair(config.key === 'secp256k1' ? 'secp256k1' : 'Ed25519'),
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux(), mplex()],
  services: { identify: identify({ timeout: 10000 }), ping: ping() },
  connectionManager: { inboundConnectionThreshold: 10000, maxIncomingPendingConnections: 1000, maxConnections: 1000 }
})

await node.handle(STORE_V3, async ({ stream }) => {
  const n = ++requests
  const req = decodeRequest(await readFrame(stream.source))
  out({ event: 'request', n, requestId: req.requestId ?? null, includeData: req.includeData ?? null, forward: req.forward ?? null, limit: req.limit ?? null, pubsubTopic: req.pubsubTopic ?? null, contentTopics: req.contentTopics, timeStart: req.timeStart?.toString() ?? null, timeEnd: req.timeEnd?.toString() ?? null, messageHashes: req.messageHashes, cursor: req.cursor ?? null })
  const faulty = n >= faultPage
  let response = answer(req)
  if (config.fault === 'status') response = { requestId: req.requestId ?? 'N/A', status: config.status ?? 429, desc: 'test status' }
  if (config.fault === 'endless' && response.status === 200) {
    // Never ends: every page, valid or empty, names a fresh cursor.
    response.cursor = randomBytes(32)
  }
  if (faulty && config.fault === 'garbage') {
    await stream.sink([frame(Buffer.from([0x07, 0x01, 0x02, 0xff, 0xff]))]); return
  }
  if (faulty && config.fault === 'oversize') {
    // Announce 64 MiB, send 64 KiB of it, then keep the stream open.
    await stream.sink((async function * () { yield varint(64 * 1024 * 1024); yield Buffer.alloc(64 * 1024); await sleep(30000) })()).catch(() => {}); return
  }
  if (faulty && config.fault === 'slow') await sleep(config.delayMs ?? 5000)
  const bytes = frame(encodeResponse(response))
  if (faulty && config.fault === 'reset') {
    // Half the page, then abort: the client sees a reset mid-page.
    const done = stream.sink((async function * () {
      yield bytes.subarray(0, Math.floor(bytes.length / 2))
      setTimeout(() => stream.abort(new Error('test reset mid-page')), 50)
      await new Promise(() => {})
    })()).catch(() => {})
    await Promise.race([done, sleep(1000)]); return
  }
  await stream.sink([bytes])
}, { maxInboundStreams: 512, maxOutboundStreams: 512 })

out({ event: 'listening', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(a => a.toString()), messages: store.length })
process.stdin.on('end', async () => { await node.stop(); process.exit(0) })
process.stdin.resume()
