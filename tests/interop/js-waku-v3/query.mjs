// js-waku's own store v3 client (@waku/sdk 0.0.36, /vac/waku/store-query/3.0.0) querying one peer, for the
// reference-client comparison tests and for benchmarks. See tests/interop/README.md.
//
// One JSON argument:
//   {"peer": "/ip4/127.0.0.1/tcp/N/p2p/<id>", "pubsubTopic": "/waku/2/rs/1/0", "contentTopics": ["/a/1/b/proto"],
//    "timeStart": "<ns>", "timeEnd": "<ns>", "direction": "forward" | "backward", "pageSize": 20,
//    "hashes": ["<hex>"], "includeData": true, "api": "generator" | "ordered", "decoder": "any" | "v0",
//    "timeoutMs": 30000}
// stdout, one JSON object a line: {"event":"message",...} per message in the order the sdk hands them out, then
// {"event":"summary", count, pages, elapsedMs (the query alone), payloadBytes, ...}. Errors: a message on stderr, exit 1.
//
// What the sdk imposes (read from node_modules/@waku/sdk/dist/store/store.js and @waku/core/dist/lib/store/):
// - a query always names one pubsub topic and the content topics of its decoders (one decoder per content topic);
//   with "hashes" the content topics only choose the decoders, the request carries none;
// - times are JavaScript Dates (millisecond precision): timeStart/timeEnd must be whole milliseconds;
// - it pages by taking the hash of the last (forward) or first (backward) message of each response as the next
//   cursor, ignoring the response's pagination_cursor, and stops at the first empty page;
// - the stock version-0 decoder ("decoder": "v0") drops messages whose version is not 0; "any" (default) is a
//   decoder that hands every message out as the sdk's own DecodedMessage;
// - entries without a message (include_data false) are yielded as undefined, so hashes-only queries are refused.
import { createLightNode, Decoder, DecodedMessage } from '@waku/sdk'
import { StoreCodec } from '@waku/core'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { writeSync } from 'node:fs'
import { peerIdFromString } from '@libp2p/peer-id'
import { hexToBytes } from '@waku/utils/bytes'

const SDK_VERSION = '0.0.36'
// stdout is a pipe when a test runs this, and writes to a pipe are asynchronous on POSIX: the output goes in one
// write whose callback comes before exit. An error is one short line written synchronously.
const fail = (message) => { writeSync(2, `query.mjs (js-waku ${SDK_VERSION}): ${message}\n`); process.exit(1) }
const flush = (objects) => new Promise(resolve => process.stdout.write(objects.map(o => JSON.stringify(o) + '\n').join(''), resolve))

let args
try { args = JSON.parse(process.argv[2] ?? '') } catch (e) { fail(`the one argument must be a JSON object: ${e.message}`) }
if (!args.peer || !/\/p2p\//.test(args.peer)) fail('"peer" must be a multiaddr ending in /p2p/<peer id>')
if (!args.pubsubTopic) fail('"pubsubTopic" is required: the sdk queries one pubsub topic at a time')
const contentTopics = args.contentTopics ?? []
if (contentTopics.length === 0) fail('"contentTopics" is required: the sdk decodes only content topics it has a decoder for')
if (args.includeData === false) fail('"includeData": false is not supported: the sdk yields entries without a message as undefined')
const direction = args.direction ?? 'forward'
if (direction !== 'forward' && direction !== 'backward') fail('"direction" is "forward" or "backward"')
const api = args.api ?? 'generator'
if (api !== 'generator' && api !== 'ordered') fail('"api" is "generator" or "ordered"')

function toDate (name) {
  const value = args[name]
  if (value === undefined || value === null) return undefined
  const ns = BigInt(value)
  if (ns % 1_000_000n !== 0n) fail(`"${name}" ${value} is not a whole millisecond: the sdk takes times as Dates`)
  return new Date(Number(ns / 1_000_000n))
}

const timeStart = toDate('timeStart')
const timeEnd = toDate('timeEnd')
const hashes = (args.hashes ?? []).map(h => hexToBytes(h))

// The sdk's DecodedMessage for every version; the stock decoder keeps version 0 only.
class AnyVersionDecoder extends Decoder {
  fromProtoObj (pubsubTopic, proto) { return Promise.resolve(new DecodedMessage(pubsubTopic, proto)) }
}
const routing = { pubsubTopic: args.pubsubTopic }
const decoders = contentTopics.map(ct => (args.decoder ?? 'any') === 'v0' ? new Decoder(ct, routing) : new AnyVersionDecoder(ct, routing))

const rs = /^\/waku\/2\/rs\/(\d+)\/(\d+)$/.exec(args.pubsubTopic)
const timeoutMs = args.timeoutMs ?? 30000
const timer = setTimeout(() => fail(`no result within ${timeoutMs} ms`), timeoutMs)

let waku
try {
  waku = await createLightNode({
    defaultBootstrap: false,
    discovery: { dns: false, peerExchange: false, peerCache: false },
    networkConfig: rs ? { clusterId: Number(rs[1]) } : undefined,
    libp2p: { transports: [tcp()], hideWebSocketInfo: true }
  })
} catch (e) { fail(`starting the light node failed: ${e.stack ?? e}`) }

const address = multiaddr(args.peer)
const peerId = peerIdFromString(address.getPeerId())

// Wait until identify has told us the peer speaks store v3 (listening before dialling, so no event is missed).
const storeKnown = new Promise((resolve) => {
  const check = async () => {
    try { if ((await waku.libp2p.peerStore.get(peerId)).protocols.includes(StoreCodec)) resolve() } catch { }
  }
  waku.libp2p.addEventListener('peer:identify', (evt) => { if (evt.detail.peerId.equals(peerId)) void check() })
  waku.libp2p.addEventListener('peer:update', (evt) => { if (evt.detail.peer.id.equals(peerId)) void check() })
  setTimeout(check, 0)
})
try {
  await waku.libp2p.dial(address)
} catch (e) { fail(`dialling ${args.peer} failed: ${e.message ?? e}`) }
await storeKnown

const options = {
  peerId,
  paginationForward: direction === 'forward',
  ...(args.pageSize ? { paginationLimit: args.pageSize } : {}),
  ...(timeStart ? { timeStart } : {}),
  ...(timeEnd ? { timeEnd } : {}),
  ...(hashes.length ? { messageHashes: hashes, pubsubTopic: args.pubsubTopic } : {})
}

let count = 0; let pages = 0; let payloadBytes = 0; let dropped = 0
const lines = []
const emit = (msg, page) => {
  count++; payloadBytes += msg.payload.length
  lines.push({
    event: 'message',
    page,
    messageHash: msg.hashStr,
    pubsubTopic: msg.pubsubTopic,
    contentTopic: msg.contentTopic,
    payload: Buffer.from(msg.payload).toString('base64'),
    timestamp: msg.proto.timestamp === undefined ? null : msg.proto.timestamp.toString(),
    version: msg.version,
    meta: msg.meta === undefined ? null : Buffer.from(msg.meta).toString('base64'),
    ephemeral: msg.ephemeral
  })
}

const started = performance.now()
try {
  if (api === 'generator') {
    for await (const page of waku.store.queryGenerator(decoders, options)) {
      pages++
      for (const msg of await Promise.all(page)) {
        if (msg) emit(msg, pages); else dropped++
      }
    }
  } else {
    await waku.store.queryWithOrderedCallback(decoders, (msg) => { emit(msg, null) }, options)
  }
} catch (e) { fail(`store query failed: ${e.message ?? e}`) }
const elapsedMs = performance.now() - started

lines.push({ event: 'summary', sdk: SDK_VERSION, protocol: StoreCodec, api, count, pages: api === 'generator' ? pages : null, undecoded: dropped, elapsedMs, payloadBytes })
clearTimeout(timer)
await flush(lines)
await waku.stop()
process.exit(0)
