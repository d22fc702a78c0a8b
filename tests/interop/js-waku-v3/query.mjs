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
import { peerIdFromString } from '@libp2p/peer-id'
import { hexToBytes } from '@waku/utils/bytes'
import { createFail, readArguments, staticShard, failAfterTimeout, startLightNode, dialStorePeer, queryAndPrint } from '../js-waku-query-common.mjs'

const SDK_VERSION = '0.0.36'
const fail = createFail(SDK_VERSION)

const { args, contentTopics, direction, api, timeStart, timeEnd } = readArguments({
  fail,
  defaultDirection: 'forward',
  refuseArguments: (args) => {
    if (args.includeData === false) fail('"includeData": false is not supported: the sdk yields entries without a message as undefined')
  }
})
const hashes = (args.hashes ?? []).map(h => hexToBytes(h))

// The sdk's DecodedMessage for every version; the stock decoder keeps version 0 only.
class AnyVersionDecoder extends Decoder {
  fromProtoObj (pubsubTopic, proto) { return Promise.resolve(new DecodedMessage(pubsubTopic, proto)) }
}
const routing = { pubsubTopic: args.pubsubTopic }
const decoders = contentTopics.map(ct => (args.decoder ?? 'any') === 'v0' ? new Decoder(ct, routing) : new AnyVersionDecoder(ct, routing))

const shard = staticShard(args.pubsubTopic)
const timer = failAfterTimeout(args, fail)

const waku = await startLightNode(() => createLightNode({
  defaultBootstrap: false,
  discovery: { dns: false, peerExchange: false, peerCache: false },
  networkConfig: shard ? { clusterId: shard.clusterId } : undefined,
  libp2p: { transports: [tcp()], hideWebSocketInfo: true }
}), fail)

// Dial and wait until identify has told us the peer speaks store v3.
const address = multiaddr(args.peer)
const peerId = peerIdFromString(address.getPeerId())
await dialStorePeer({ node: waku, peer: args.peer, address, peerId, storeCodec: StoreCodec, fail })

const options = {
  peerId,
  paginationForward: direction === 'forward',
  ...(args.pageSize ? { paginationLimit: args.pageSize } : {}),
  ...(timeStart ? { timeStart } : {}),
  ...(timeEnd ? { timeEnd } : {}),
  ...(hashes.length ? { messageHashes: hashes, pubsubTopic: args.pubsubTopic } : {})
}

await queryAndPrint({
  node: waku,
  decoders,
  options,
  api,
  messageHash: (msg) => msg.hashStr,
  sdkVersion: SDK_VERSION,
  storeCodec: StoreCodec,
  timer,
  fail
})
