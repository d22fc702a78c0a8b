// js-libp2p 2.10 peer serving Waku store v3 (/vac/waku/store-query/3.0.0) and the legacy store
// (/vac/waku/store/2.0.0-beta4, HistoryRPC, §5.4) from a JSON message file, for the C# store interop tests. Protobuf is encoded and decoded by hand here (independent of Google.Protobuf), field for
// field as in shared/reference/nwaku-store-format.md §5.5, and the message hash is computed here as nwaku does
// (SHA-256 of pubsubTopic ‖ payload ‖ contentTopic ‖ meta ‖ uint64-BE timestamp).
//
// One JSON argument configures it:
//   {"messages": "<path to JSON file>", "fault": null | "garbage" | "reset" | "slow" | "oversize" | "lying-length" | "wrong-hash" |
//    "endless" | "status" | "bad-cursor-digest", "faultPage": 2 (first faulty request), "faultCount": n (how many,
//    default all), "delayMs": 5000, "wrongHashes": [indices], "status": 429,
//    "clusterId": 1 (answered on /vac/waku/metadata/1.0.0 with the shards of the served rs topics), "metadata": false
//    (do not mount the metadata protocol), "legacyOnly": true (no store v3, as nwaku before v0.28)}
// Message file (.json, or .jsonl with one object a line): [{"pubsubTopic", "contentTopic", "payload" (base64), "version", "timestamp" (decimal string, ns),
//                 "meta" (base64, optional)}]
// stdout, one JSON object a line: {"event":"listening",...}, then {"event":"request",...} per request received and
// {"event":"metadata", clusterId, shards} per metadata request.
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { mplex } from '@libp2p/mplex'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { varint, readVarint, frame, readFrame, peerNodeOptions, sendWithFaults } from '../js-peer-common.mjs'

const STORE_V3 = '/vac/waku/store-query/3.0.0'
const config = JSON.parse(process.argv[2] ?? '{}')
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')

// ---- protobuf, by hand ----
const zigzag = (n) => { const v = BigInt(n); return v >= 0n ? v << 1n : ((-v) << 1n) - 1n }
const unzigzag = (v) => (v & 1n) ? -((v + 1n) >> 1n) : v >> 1n
const tag = (field, wire) => varint((field << 3) | wire)
const fBytes = (field, b) => Buffer.concat([tag(field, 2), varint(b.length), Buffer.from(b)])
const fString = (field, s) => fBytes(field, Buffer.from(s, 'utf8'))
const fVarint = (field, v) => Buffer.concat([tag(field, 0), varint(v)])

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

// ---- the store ----
function messageHash (m) {
  const ts = Buffer.alloc(8); ts.writeBigUInt64BE(BigInt.asUintN(64, m.timestamp))
  return createHash('sha256').update(Buffer.from(m.pubsubTopic, 'utf8')).update(m.payload)
    .update(Buffer.from(m.contentTopic, 'utf8')).update(m.meta ?? Buffer.alloc(0)).update(ts).digest()
}

const wrong = new Set(config.wrongHashes ?? [])
// A .jsonl file (one message a line) is read line by line: a benchmark's 10^5 messages exceed Node's string limit as one JSON text.
async function readMessages (path) {
  if (!path) return []
  if (!path.endsWith('.jsonl')) return JSON.parse(readFileSync(path, 'utf8'))
  const list = []
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) if (line.trim()) list.push(JSON.parse(line))
  return list
}
const store = (await readMessages(config.messages)).map((j, i) => {
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

// The id a message is served under (hex), computed once: the reseed benchmark serves 10^5 messages.
for (const m of store) m.id = (m.claimedHash ?? m.hash).toString('hex')
const idOf = (m) => m.id
const byId = new Map(store.map((m, i) => [m.id, i]))

function answer (req) {
  if (!req.requestId) return { requestId: 'N/A', status: 400, desc: 'request_id is required' }
  const wanted = new Set(req.messageHashes)
  // A lookup by hash reads only those messages (in store order), as nwaku's primary-key lookup does.
  const candidates = wanted.size === 0 ? store : [...wanted].map(h => byId.get(h)).filter(i => i !== undefined).sort((a, b) => a - b).map(i => store[i])
  // Unfiltered queries page over the whole store; the cursor is then found by id, not by a scan (10^5 messages).
  const unfiltered = wanted.size === 0 && req.pubsubTopic === undefined && req.contentTopics.length === 0 && req.timeStart === undefined && req.timeEnd === undefined
  const indexOf = (id) => unfiltered ? (byId.get(id) ?? -1) : matching.findIndex(m => idOf(m) === id)
  let matching = unfiltered ? store : candidates.filter(m =>
    (req.pubsubTopic === undefined || m.pubsubTopic === req.pubsubTopic) &&
    (req.contentTopics.length === 0 || req.contentTopics.includes(m.contentTopic)) &&
    (req.timeStart === undefined || m.timestamp >= req.timeStart) &&
    (req.timeEnd === undefined || m.timestamp <= req.timeEnd) &&
    (wanted.size === 0 || wanted.has(m.id)))
  const limit = Math.min(req.limit || 20, 100)
  const forward = req.forward === true
  let page; let more
  if (forward) {
    let start = 0
    if (req.cursor) { const i = indexOf(req.cursor); if (i < 0) { if (config.fault === 'endless') return { requestId: req.requestId, status: 200, desc: 'OK', entries: [] }; return { requestId: req.requestId, status: 400, desc: 'cursor not found' } } start = i + 1 }
    page = matching.slice(start, start + limit); more = start + limit < matching.length
  } else {
    let end = matching.length
    if (req.cursor) { const i = indexOf(req.cursor); if (i < 0) return { requestId: req.requestId, status: 400, desc: 'cursor not found' }; end = i }
    page = matching.slice(Math.max(0, end - limit), end); more = end - limit > 0
  }
  const boundary = forward ? page[page.length - 1] : page[0]
  return { requestId: req.requestId, status: 200, desc: 'OK', entries: page, cursor: more && boundary ? (boundary.claimedHash ?? boundary.hash) : undefined, includeData: req.includeData === true }
}

let requests = 0
const faultPage = config.faultPage ?? 2
const isFaulty = (n) => n >= faultPage && n < faultPage + (config.faultCount ?? Infinity)

const node = await createLibp2p(peerNodeOptions({ tcp, noise, yamux, mplex, identify, ping }, await generateKeyPair(config.key === 'secp256k1' ? 'secp256k1' : 'Ed25519')))

// The configured fault applies from request number faultPage on.
const send = (stream, n, body) => sendWithFaults(stream, body, isFaulty(n) ? config.fault : null, config.delayMs)

if (!config.legacyOnly) await node.handle(STORE_V3, async ({ stream }) => {
  const body = await readFrame(stream.source)
  if (body === null) return
  const n = ++requests
  const req = decodeRequest(body)
  out({ event: 'request', protocol: STORE_V3, n, requestId: req.requestId ?? null, includeData: req.includeData ?? null, forward: req.forward ?? null, limit: req.limit ?? null, pubsubTopic: req.pubsubTopic ?? null, contentTopics: req.contentTopics, timeStart: req.timeStart?.toString() ?? null, timeEnd: req.timeEnd?.toString() ?? null, messageHashes: req.messageHashes, cursor: req.cursor ?? null })
  let response = answer(req)
  if (config.fault === 'status' && isFaulty(n)) response = { requestId: req.requestId ?? 'N/A', status: config.status ?? 429, desc: 'test status' }
  if (config.fault === 'endless' && response.status === 200) {
    // Never ends: every page, valid or empty, names a fresh cursor.
    response.cursor = randomBytes(32)
  }
  await send(stream, n, encodeResponse(response))
}, { maxInboundStreams: 512, maxOutboundStreams: 512 })

// ---- legacy store v2 beta4 (§5.4), nwaku v0.14+ semantics ----
const STORE_V2 = '/vac/waku/store/2.0.0-beta4'
const digestOf = (m) => createHash('sha256').update(Buffer.from(m.contentTopic, 'utf8')).update(m.payload).digest()

function decodeIndex (buf) {
  const x = {}
  for (const { field, value } of decodeFields(buf)) {
    if (field === 1) x.digest = Buffer.from(value)
    if (field === 2) x.receiverTime = unzigzag(value)
    if (field === 3) x.senderTime = unzigzag(value)
    if (field === 4) x.pubsubTopic = value.toString('utf8')
  }
  return x
}

function decodeHistoryRpc (buf) {
  const rpc = { contentTopics: [] }
  for (const { field, value } of decodeFields(buf)) {
    if (field === 1) rpc.requestId = value.toString('utf8')
    if (field !== 2) continue
    for (const q of decodeFields(value)) {
      if (q.field === 2) rpc.pubsubTopic = q.value.toString('utf8')
      if (q.field === 3) for (const c of decodeFields(q.value)) if (c.field === 1) rpc.contentTopics.push(c.value.toString('utf8'))
      if (q.field === 4) {
        for (const p of decodeFields(q.value)) {
          if (p.field === 1) rpc.pageSize = Number(p.value)
          if (p.field === 2) rpc.cursor = decodeIndex(p.value)
          if (p.field === 3) rpc.direction = Number(p.value)
        }
      }
      if (q.field === 5) rpc.startTime = unzigzag(q.value)
      if (q.field === 6) rpc.endTime = unzigzag(q.value)
    }
  }
  return rpc
}

// Every Index field written (nwaku requires all four).
const encodeIndex = (x) => Buffer.concat([fBytes(1, x.digest), fVarint(2, zigzag(x.receiverTime)), fVarint(3, zigzag(x.senderTime)), fString(4, x.pubsubTopic)])
const indexOf = (m) => ({ digest: digestOf(m), receiverTime: m.timestamp, senderTime: m.timestamp, pubsubTopic: m.pubsubTopic })

function answerV2 (rpc, n) {
  if (config.fault === 'status' && isFaulty(n)) return { error: config.status ?? 429, entries: [] }
  let matching = store.filter(m =>
    (rpc.pubsubTopic === undefined || rpc.pubsubTopic === '' || m.pubsubTopic === rpc.pubsubTopic) &&
    (rpc.contentTopics.length === 0 || rpc.contentTopics.includes(m.contentTopic)) &&
    (rpc.startTime === undefined || m.timestamp >= rpc.startTime) &&
    (rpc.endTime === undefined || m.timestamp <= rpc.endTime))
  // v0.14+ order and cursor: (storedAt, digest); storedAt is the message timestamp here.
  const key = (m) => [m.timestamp, digestOf(m)]
  const cmp = (a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : Buffer.compare(a[1], b[1])
  matching = matching.slice().sort((a, b) => cmp(key(a), key(b)))
  const limit = Math.min(rpc.pageSize || 20, 100)
  const forward = rpc.direction === 1
  let page; let more
  if (rpc.cursor && config.fault === 'endless' && !matching.some(m => cmp(key(m), [rpc.cursor.receiverTime, rpc.cursor.digest]) === 0)) {
    page = []; more = true
  } else if (forward) {
    const rest = rpc.cursor ? matching.filter(m => cmp(key(m), [rpc.cursor.receiverTime, rpc.cursor.digest]) > 0) : matching
    page = rest.slice(0, limit); more = rest.length > limit
  } else {
    const rest = rpc.cursor ? matching.filter(m => cmp(key(m), [rpc.cursor.receiverTime, rpc.cursor.digest]) < 0) : matching
    page = rest.slice(Math.max(0, rest.length - limit)); more = rest.length > limit
  }
  const boundary = forward ? page[page.length - 1] : page[0]
  let cursor = more && boundary ? indexOf(boundary) : undefined
  if (config.fault === 'endless') cursor = { digest: randomBytes(32), receiverTime: 1n, senderTime: 0n, pubsubTopic: rpc.pubsubTopic ?? '' }
  if (config.fault === 'bad-cursor-digest' && cursor) cursor.digest = randomBytes(32)
  return { error: 0, entries: page, cursor, pageSize: limit, direction: forward ? 1 : 0 }
}

function encodeHistoryRpc (requestId, r) {
  const parts = r.entries.map(m => fBytes(2, encodeWakuMessage(m)))
  if (r.cursor) parts.push(fBytes(3, Buffer.concat([fVarint(1, r.pageSize), fBytes(2, encodeIndex(r.cursor)), fVarint(3, r.direction)])))
  parts.push(fVarint(4, r.error))
  return Buffer.concat([fString(1, requestId), fBytes(3, Buffer.concat(parts))])
}

await node.handle(STORE_V2, async ({ stream }) => {
  const body = await readFrame(stream.source)
  if (body === null) return
  const n = ++requests
  const rpc = decodeHistoryRpc(body)
  const c = rpc.cursor
  out({ event: 'request', protocol: STORE_V2, n, requestId: rpc.requestId ?? null, pubsubTopic: rpc.pubsubTopic ?? null, contentTopics: rpc.contentTopics, pageSize: rpc.pageSize ?? null, direction: rpc.direction ?? null, startTime: rpc.startTime?.toString() ?? null, endTime: rpc.endTime?.toString() ?? null, cursor: c ? { digest: c.digest?.toString('hex') ?? null, receiverTime: c.receiverTime?.toString() ?? null, senderTime: c.senderTime?.toString() ?? null, pubsubTopic: c.pubsubTopic ?? null } : null })
  await send(stream, n, encodeHistoryRpc(rpc.requestId ?? '', answerV2(rpc, n)))
}, { maxInboundStreams: 512, maxOutboundStreams: 512 })

// ---- metadata (/vac/waku/metadata/1.0.0, §6) ----
// js-waku 0.0.26 configured with static shards picks a store peer only after this handshake told it the peer's
// cluster; nwaku answers with its cluster id and its shards, unpacked in field 2 and packed in field 3.
const METADATA = '/vac/waku/metadata/1.0.0'
const clusterId = config.clusterId ?? 1
const shards = [...new Set(store.map(m => /^\/waku\/2\/rs\/(\d+)\/(\d+)$/.exec(m.pubsubTopic))
  .filter(r => r && Number(r[1]) === clusterId).map(r => Number(r[2])))].sort((a, b) => a - b)
if (config.metadata !== false) {
  await node.handle(METADATA, async ({ stream }) => {
    try { await answerMetadata(stream) } catch (e) { out({ event: 'metadata-error', error: e.message }) }
  })
}

async function answerMetadata (stream) {
  const body = await readFrame(stream.source)
  if (body === null) return
  const request = { shards: [] }
  for (const { field, value } of decodeFields(body)) {
    if (field === 1) request.clusterId = Number(value)
    if (field === 2 && typeof value === 'bigint') request.shards.push(Number(value))
  }
  out({ event: 'metadata', clusterId: request.clusterId ?? null, shards: request.shards })
  const packed = Buffer.concat(shards.map(s => varint(s)))
  const response = Buffer.concat([fVarint(1, clusterId), ...shards.map(s => fVarint(2, s)), ...(shards.length ? [fBytes(3, packed)] : [])])
  await stream.sink([frame(response)])
}

out({ event: 'listening', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(a => a.toString()), messages: store.length })
process.stdin.on('end', async () => { await node.stop(); process.exit(0) })
process.stdin.resume()
