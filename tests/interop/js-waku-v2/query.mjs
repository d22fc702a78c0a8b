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
import { createFail, readArguments, staticShard, failAfterTimeout, startLightNode, dialStorePeer, queryAndPrint } from '../js-waku-query-common.mjs'

const SDK_VERSION = '0.0.26'
const StoreCodec = wakuStore.StoreCodec
const fail = createFail(SDK_VERSION)

const { args, contentTopics, direction, api, timeStart: startTime, timeEnd: endTime } = readArguments({
  fail,
  defaultDirection: 'backward',
  refuseArguments: (args) => {
    if (args.hashes?.length) fail('"hashes" are not part of the legacy store protocol')
    if (args.includeData === false) fail('"includeData" is not part of the legacy store protocol')
  }
})

// The sdk's DecodedMessage for every version; the stock decoder keeps version 0 only.
class AnyVersionDecoder extends Decoder {
  fromProtoObj (pubsubTopic, proto) { return Promise.resolve(new DecodedMessage(pubsubTopic, proto)) }
}
const decoders = contentTopics.map(ct => (args.decoder ?? 'any') === 'v0' ? new Decoder(args.pubsubTopic, ct) : new AnyVersionDecoder(args.pubsubTopic, ct))

const shard = staticShard(args.pubsubTopic)
const timer = failAfterTimeout(args, fail)

const waku = await startLightNode(async () => {
  const node = await createLightNode({
    defaultBootstrap: false,
    ...(shard ? { shardInfo: { clusterId: shard.clusterId, shards: [shard.shard] } } : { pubsubTopics: [args.pubsubTopic] }),
    libp2p: { transports: [tcp()], hideWebSocketInfo: true }
  })
  await node.start()
  return node
}, fail)

// Dial and wait until identify has told us the peer speaks the legacy store.
const address = multiaddr(args.peer)
const peerId = peerIdFromString(address.getPeerId())
await dialStorePeer({ node: waku, peer: args.peer, address, peerId, storeCodec: StoreCodec, fail })
// With static shards this runs the metadata handshake the store's peer selection depends on.
await waitForRemotePeer(waku, [Protocols.Store])

const options = {
  pageDirection: direction === 'forward' ? PageDirection.FORWARD : PageDirection.BACKWARD,
  ...(args.pageSize ? { pageSize: args.pageSize } : {}),
  ...(startTime || endTime ? { timeFilter: { startTime, endTime } } : {})
}

await queryAndPrint({
  node: waku,
  decoders,
  options,
  api,
  messageHash: (msg) => Buffer.from(messageHash(msg.pubsubTopic, msg.proto)).toString('hex'),
  sdkVersion: SDK_VERSION,
  storeCodec: StoreCodec,
  timer,
  fail
})
