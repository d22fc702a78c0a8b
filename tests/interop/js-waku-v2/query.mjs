// js-waku's own legacy store client (@waku/sdk 0.0.26, /vac/waku/store/2.0.0-beta4) querying one peer, for the
// reference-client comparison tests and for benchmarks. See tests/interop/README.md.
//
// One JSON argument:
//   {"peer": "/ip4/127.0.0.1/tcp/N/p2p/<id>", "pubsubTopic": "/waku/2/rs/1/0", "contentTopics": ["/a/1/b/proto"],
//    "timeStart": "<ns>", "timeEnd": "<ns>", "direction": "forward" | "backward", "pageSize": 10,
//    "api": "generator" | "ordered", "decoder": "any" | "v0", "timeoutMs": 30000}
// stdout, one JSON object a line: {"event":"message",...} per message in the order the sdk hands them out, then
// {"event":"summary", count, pages, elapsedMs (the query alone), payloadBytes, ...}. Errors: a message on stderr, exit 1.
//
// What the sdk imposes (read from node_modules/@waku/sdk/dist/protocols/store.js and @waku/core/dist/lib/store/):
// - a query always names one pubsub topic, which the node must be configured with, and the content topics of its
//   decoders; a static-sharding topic /waku/2/rs/<cluster>/<shard> configures the node with that shard, which mounts
//   the metadata protocol and then makes the store pick only a peer whose metadata answer named the same cluster;
// - times are JavaScript Dates (millisecond precision): timeStart/timeEnd must be whole milliseconds;
// - the sdk's defaults are backward and 10 a page; it follows the response's cursor and stops when a response has
//   no cursor, no messages, or a page_size smaller than asked;
// - queryGenerator yields the pages as they come (each page oldest first); queryWithOrderedCallback ("api":
//   "ordered") reverses each page when paging backward, so backward it hands out newest first throughout;
// - the stock version-0 decoder ("decoder": "v0") drops messages whose version is not 0; "any" (default) is a
//   decoder that hands every message out as the sdk's own DecodedMessage;
// - the legacy protocol has no message hashes: messageHash here is @waku/message-hash's messageHash.
import { createLightNode, Decoder, DecodedMessage, waitForRemotePeer, Protocols, PageDirection } from '@waku/sdk'
import { waku_store as wakuStore } from '@waku/core'
import { messageHash } from '@waku/message-hash'
import { tcp } from '@libp2p/tcp'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { writeSync } from 'node:fs'

const SDK_VERSION = '0.0.26'
const StoreCodec = wakuStore.StoreCodec
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
if (args.hashes?.length) fail('"hashes" are not part of the legacy store protocol')
if (args.includeData === false) fail('"includeData" is not part of the legacy store protocol')
const direction = args.direction ?? 'backward'
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
const startTime = toDate('timeStart')
const endTime = toDate('timeEnd')

// The sdk's DecodedMessage for every version; the stock decoder keeps version 0 only.
class AnyVersionDecoder extends Decoder {
  fromProtoObj (pubsubTopic, proto) { return Promise.resolve(new DecodedMessage(pubsubTopic, proto)) }
}
const decoders = contentTopics.map(ct => (args.decoder ?? 'any') === 'v0' ? new Decoder(args.pubsubTopic, ct) : new AnyVersionDecoder(args.pubsubTopic, ct))

const rs = /^\/waku\/2\/rs\/(\d+)\/(\d+)$/.exec(args.pubsubTopic)
const timeoutMs = args.timeoutMs ?? 30000
const timer = setTimeout(() => fail(`no result within ${timeoutMs} ms`), timeoutMs)

let waku
try {
  waku = await createLightNode({
    defaultBootstrap: false,
    ...(rs ? { shardInfo: { clusterId: Number(rs[1]), shards: [Number(rs[2])] } } : { pubsubTopics: [args.pubsubTopic] }),
    libp2p: { transports: [tcp()], hideWebSocketInfo: true }
  })
  await waku.start()
} catch (e) { fail(`starting the light node failed: ${e.stack ?? e}`) }

const address = multiaddr(args.peer)
const peerId = peerIdFromString(address.getPeerId())

// Wait until identify has told us the peer speaks the legacy store (listening before dialling, so no event is missed).
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
// With static shards this runs the metadata handshake the store's peer selection depends on.
await waitForRemotePeer(waku, [Protocols.Store])

const options = {
  pageDirection: direction === 'forward' ? PageDirection.FORWARD : PageDirection.BACKWARD,
  ...(args.pageSize ? { pageSize: args.pageSize } : {}),
  ...(startTime || endTime ? { timeFilter: { startTime, endTime } } : {})
}

let count = 0; let pages = 0; let payloadBytes = 0; let dropped = 0
const lines = []
const emit = (msg, page) => {
  count++; payloadBytes += msg.payload.length
  lines.push({
    event: 'message',
    page,
    messageHash: Buffer.from(messageHash(msg.pubsubTopic, msg.proto)).toString('hex'),
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
