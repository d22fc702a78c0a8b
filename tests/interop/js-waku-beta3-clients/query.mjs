// js-waku's own beta3 store clients of 2021 querying one peer, for the reference-client comparison tests
// (tests/Waku.StoreForensics.Tests/Store/Interop/JsWakuBeta3ComparisonTests.cs). See tests/interop/README.md.
//   "sdk": "0.3.0"  -> js-waku 0.3.0 (libp2p 0.31), WakuStore.queryHistory(peerId, contentTopics, pubsubTopic):
//                      v0.3-v0.4 field numbers, always forward, 10 a page, no time filter
//   "sdk": "0.12.2" -> js-waku 0.12.2 (libp2p 0.32), WakuStore.queryHistory(contentTopics, {peerId, pubSubTopic,
//                      direction, pageSize, timeFilter, callback}): v0.5-v0.7 field numbers
// Both are used as shipped: TCP is added as a transport (libp2p-tcp, as the js-waku docs of the time show for Node),
// nothing else is configured. One JSON argument:
//   {"sdk", "peer": "/ip4/127.0.0.1/tcp/N/p2p/<id>", "pubsubTopic", "contentTopics": [...],
//    "direction": "forward" | "backward", "pageSize": 10, "timeStartMs", "timeEndMs" (0.12.2 only: it takes Dates),
//    "timeoutMs": 30000}
// stdout, one JSON object a line: {"event":"message", page (0.12.2: from its page callback; 0.3.0: null),
// contentTopic, payload (base64), version, timestamp (double seconds, as received)} per message in the order the client
// returns them, then {"event":"summary", sdk, protocol, count, elapsedMs (the query alone, by the client's own clock)}. Errors: one line on stderr, exit 1.
// js-waku 0.3.0 writes plain console.log lines too; readers take only lines that start with '{'.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const fail = (message) => { process.stderr.write(`query.mjs: ${message}\n`); process.exit(1) }
let args
try { args = JSON.parse(process.argv[2] ?? '') } catch (e) { fail(`the one argument must be a JSON object: ${e.message}`) }
const sdk = args.sdk
if (sdk !== '0.3.0' && sdk !== '0.12.2') fail('"sdk" is "0.3.0" or "0.12.2"')
if (!args.peer || !/\/p2p\//.test(args.peer)) fail('"peer" must be a multiaddr ending in /p2p/<peer id>')
if (sdk === '0.3.0' && (args.direction === 'backward' || args.pageSize || args.timeStartMs || args.timeEndMs)) {
  fail('js-waku 0.3.0 queries forward, 10 a page, without time filter')
}
const timeoutMs = args.timeoutMs ?? 30000
setTimeout(() => fail(`no result within ${timeoutMs} ms`), timeoutMs).unref()

const { Waku } = require(`js-waku-${sdk}/build/main/lib/waku.js`)
const { StoreCodec } = require(`js-waku-${sdk}/build/main/lib/waku_store/index.js`)
const TCP = require('libp2p-tcp')
const PeerId = require('peer-id')
const { multiaddr } = require(sdk === '0.3.0' ? 'js-waku-0.3.0/node_modules/multiaddr' : 'multiaddr')

let waku
const lines = []
let messages
let started
let elapsedMs
try {
  waku = await Waku.create(sdk === '0.3.0' ? { modules: { transport: [TCP] } } : { libp2p: { modules: { transport: [TCP] } } })
  const address = multiaddr(args.peer)
  const peerId = PeerId.createFromB58String(address.getPeerId())
  waku.addPeerToAddressBook(peerId, [address])
  await waku.dial(peerId)
  // Both clients refuse a peer whose identify has not yet listed the store protocol.
  for (let i = 0; i < 100; i++) {
    const peer = waku.libp2p.peerStore.get(peerId)
    if (peer && peer.protocols.includes(StoreCodec)) break
    await new Promise(resolve => setTimeout(resolve, 50))
  }

  started = performance.now()
  if (sdk === '0.3.0') {
    messages = (await waku.store.queryHistory(peerId, args.contentTopics, args.pubsubTopic)).map(m => [null, m])
  } else {
    const { Direction } = require('js-waku-0.12.2/build/main/lib/waku_store/history_rpc.js')
    let page = 0
    messages = []
    const options = {
      peerId,
      pubSubTopic: args.pubsubTopic,
      direction: args.direction === 'forward' ? Direction.FORWARD : Direction.BACKWARD,
      pageSize: args.pageSize ?? 10,
      callback: (pageMessages) => { page++; for (const m of pageMessages) messages.push([page, m]) }
    }
    if (args.timeStartMs !== undefined || args.timeEndMs !== undefined) {
      options.timeFilter = { startTime: new Date(args.timeStartMs), endTime: new Date(args.timeEndMs) }
    }
    await waku.store.queryHistory(args.contentTopics, options)
  }
  elapsedMs = performance.now() - started
  for (const [page, m] of messages) {
    lines.push({ event: 'message', page, contentTopic: m.contentTopic, payload: Buffer.from(m.payload ?? []).toString('base64'), version: m.version ?? 0, timestamp: m.proto.timestamp ?? null })
  }
} catch (e) {
  // js-waku 0.12.2 throws strings as well as Errors.
  fail(`the client threw: ${e?.message ?? e}`)
}
lines.push({ event: 'summary', sdk, protocol: StoreCodec, count: messages.length, elapsedMs: Math.round(elapsedMs * 10) / 10 })
await new Promise(resolve => process.stdout.write(lines.map(o => JSON.stringify(o) + '\n').join(''), resolve))
await waku.stop()
process.exit(0)
