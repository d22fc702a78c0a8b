// js-libp2p 2.10 peer serving the 2021 legacy store /vac/waku/store/2.0.0-beta3 from a message file, in either of the
// two encodings spoken under that one protocol ID (shared/reference/nwaku-store-format.md §5.4). Requests are decoded
// and responses encoded with js-waku's OWN generated protobuf modules, not by hand:
//   "encoding": "v0.4" -> js-waku 0.3.0's build/main/proto/waku/v2/store.js (HistoryResponse messages = 1, paging = 2)
//   "encoding": "v0.5" -> js-waku 0.12.2's build/main/proto/waku/v2/store.js (messages = 2, paging = 3, error = 4)
// The store behaves as nwaku v0.4 / v0.5 did: messages kept in arrival order (the file's order), filtered by pubsub
// topic, content topics and, when both bounds are non-zero, sender timestamp (double seconds, inclusive); a page of at
// most pageSize (≤ 100) messages after the cursor (found by digest and receive time; v0.5 answers error
// INVALID_CURSOR when it is unknown, v0.4 an empty page), each page carrying the Index of its boundary message as
// cursor and the number of messages returned as page size.
//
// One JSON argument: {"messages": "<path>", "encoding": "v0.4" | "v0.5", "fault": null | "garbage" | "oversize" |
//   "lying-length" | "slow" | "reset" | "wrong-encoding" (answer with the other package's modules) |
//   "invalid-cursor" (v0.5: error INVALID_CURSOR) | "endless" (every page full and with a fresh cursor),
//   "faultPage": 2 (first faulty request), "delayMs": 5000}
// Message file: JSON array of {"pubsubTopic", "contentTopic", "payload" (base64), "version", "timestamp" (double, Unix
// seconds: the era's unit), "receivedTime" (double seconds, optional; default the timestamp)}.
// stdout, one JSON object a line: {"event":"listening", peerId, addrs, messages, encoding, module}, then
// {"event":"request", ...} for each request as js-waku's module decoded it.
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { mplex } from '@libp2p/mplex'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { readFrame, peerNodeOptions, sendWithFaults } from '../js-peer-common.mjs'

const require = createRequire(import.meta.url)
const STORE_BETA3 = '/vac/waku/store/2.0.0-beta3'
const MODULES = {
  'v0.4': 'js-waku-0.3.0/build/main/proto/waku/v2/store.js',
  'v0.5': 'js-waku-0.12.2/build/main/proto/waku/v2/store.js'
}
const config = JSON.parse(process.argv[2] ?? '{}')
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const encoding = config.encoding ?? 'v0.5'
if (!MODULES[encoding]) throw new Error(`"encoding" is "v0.4" or "v0.5", not ${encoding}`)
const other = encoding === 'v0.4' ? 'v0.5' : 'v0.4'
const proto = { 'v0.4': require(MODULES['v0.4']), 'v0.5': require(MODULES['v0.5']) }
const FORWARD = proto[encoding].PagingInfo_Direction.DIRECTION_FORWARD

// The era's digest (nwaku computeIndex): SHA-256(contentTopic ‖ payload).
const digestOf = (m) => createHash('sha256').update(Buffer.from(m.contentTopic, 'utf8')).update(m.payload).digest()
const store = JSON.parse(readFileSync(config.messages, 'utf8')).map(j => {
  const m = { pubsubTopic: j.pubsubTopic, contentTopic: j.contentTopic, payload: Buffer.from(j.payload ?? '', 'base64'), version: j.version ?? 0, timestamp: j.timestamp ?? 0 }
  m.receivedTime = j.receivedTime ?? m.timestamp
  m.digest = digestOf(m)
  return m
})

// js-waku's field names differ by release: 0.3.0 pubsubTopic, 0.12.2 pubSubTopic; v0.5's Index adds senderTime.
const indexOf = (m) => encoding === 'v0.4'
  ? { digest: m.digest, receivedTime: m.receivedTime }
  : { digest: m.digest, receivedTime: m.receivedTime, senderTime: m.timestamp }
const wakuMessage = (m) => ({ payload: m.payload, contentTopic: m.contentTopic, version: m.version, timestamp: m.timestamp })

function answer (query, n) {
  const paging = query.pagingInfo ?? {}
  const pubsub = query.pubsubTopic ?? query.pubSubTopic ?? ''
  const topics = (query.contentFilters ?? []).map(f => f.contentTopic)
  const start = query.startTime ?? 0; const end = query.endTime ?? 0
  const matching = store.filter(m => (pubsub === '' || m.pubsubTopic === pubsub) &&
    (topics.length === 0 || topics.includes(m.contentTopic)) &&
    (start === 0 || end === 0 || (m.timestamp >= start && m.timestamp <= end)))
  const pageSize = Math.min(Number(paging.pageSize ?? 0) || 100, 100)
  const forward = paging.direction === FORWARD
  const empty = { messages: [], pagingInfo: { pageSize: 0, cursor: paging.cursor, direction: paging.direction ?? 0 } }
  if (config.fault === 'invalid-cursor' && n >= (config.faultPage ?? 2)) return { error: 1, messages: [] }
  let from = forward ? 0 : matching.length
  const c = paging.cursor
  if (c && c.digest && c.digest.length > 0) {
    const i = matching.findIndex(m => m.digest.equals(Buffer.from(c.digest)) && m.receivedTime === c.receivedTime)
    // "endless" never knows its own (shifted) cursors and starts over instead of refusing them.
    if (i < 0 && config.fault !== 'endless') return encoding === 'v0.5' ? { ...empty, error: 1 } : empty
    if (i >= 0) from = forward ? i + 1 : i
  }
  const page = forward ? matching.slice(from, from + pageSize) : matching.slice(Math.max(0, from - pageSize), from)
  if (page.length === 0) return empty
  const boundary = forward ? page[page.length - 1] : page[0]
  const cursor = indexOf(boundary)
  // A never-ending node: always a full page, always a cursor not seen before.
  if (config.fault === 'endless') cursor.receivedTime += n
  return { messages: page.map(wakuMessage), pagingInfo: { pageSize: page.length, cursor, direction: paging.direction ?? 0 } }
}

function encodeResponse (requestId, response, n) {
  const faulty = n >= (config.faultPage ?? 2)
  // "wrong-encoding": the same answer through the other release's module (what a client of one era met on the other).
  const as = config.fault === 'wrong-encoding' && faulty ? other : encoding
  const r = { ...response }
  if (as === 'v0.4') delete r.error
  if (as === 'v0.4' && r.pagingInfo?.cursor) r.pagingInfo = { ...r.pagingInfo, cursor: { digest: r.pagingInfo.cursor.digest, receivedTime: r.pagingInfo.cursor.receivedTime } }
  return Buffer.from(proto[as].HistoryRPC.encode(proto[as].HistoryRPC.fromPartial({ requestId, response: r })).finish())
}

const transportFaults = new Set(['garbage', 'oversize', 'lying-length', 'slow', 'reset'])
let requests = 0
const node = await createLibp2p(peerNodeOptions({ tcp, noise, yamux, mplex, identify, ping }, await generateKeyPair(config.key === 'secp256k1' ? 'secp256k1' : 'Ed25519')))
await node.handle(STORE_BETA3, async ({ stream }) => {
  const body = await readFrame(stream.source)
  if (body === null) return
  const n = ++requests
  const rpc = proto[encoding].HistoryRPC.decode(body)
  const q = rpc.query ?? {}
  const c = q.pagingInfo?.cursor
  out({ event: 'request', protocol: STORE_BETA3, n, requestId: rpc.requestId ?? null, pubsubTopic: q.pubsubTopic ?? q.pubSubTopic ?? null, contentTopics: (q.contentFilters ?? []).map(f => f.contentTopic), pageSize: q.pagingInfo?.pageSize ?? null, direction: q.pagingInfo?.direction ?? null, startTime: q.startTime ?? null, endTime: q.endTime ?? null, cursor: c ? { digest: Buffer.from(c.digest ?? []).toString('hex'), receivedTime: c.receivedTime ?? null, senderTime: c.senderTime ?? null } : null })
  const fault = transportFaults.has(config.fault) && n >= (config.faultPage ?? 2) ? config.fault : null
  await sendWithFaults(stream, encodeResponse(rpc.requestId ?? '', answer(q, n), n), fault, config.delayMs)
}, { maxInboundStreams: 512, maxOutboundStreams: 512 })

out({ event: 'listening', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(a => a.toString()), messages: store.length, encoding, module: MODULES[encoding] })
process.stdin.on('end', async () => { await node.stop(); process.exit(0) })
process.stdin.resume()
