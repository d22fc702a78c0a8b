// What js-waku-v2/query.mjs (@waku/sdk 0.0.26) and js-waku-v3/query.mjs (0.0.36) share: the argument checks, the
// error line, the timeout, dialling the peer and waiting for identify, the query loop and the output lines. See
// tests/interop/README.md.
//
// No npm package is imported here: each script's packages resolve from its own folder's node_modules (the two sdk
// versions cannot share one), so everything that comes from an sdk (the node, its store, decoders, query options,
// the store codec, the message hash) is passed in by the script.
import { writeSync } from 'node:fs'

// stdout is a pipe when a test runs this, and writes to a pipe are asynchronous on POSIX: the output goes in one
// write whose callback comes before exit. An error is one short line written synchronously.

/** The script's fail(message): one line on stderr naming the sdk version, then exit 1. */
export function createFail (sdkVersion) {
  return (message) => { writeSync(2, `query.mjs (js-waku ${sdkVersion}): ${message}\n`); process.exit(1) }
}

const flush = (objects) => new Promise(resolve => process.stdout.write(objects.map(o => JSON.stringify(o) + '\n').join(''), resolve))

/**
 * Reads and checks the one JSON argument. refuseArguments(args) runs the script's own checks after the content
 * topics and before the direction; defaultDirection is the sdk's. timeStart/timeEnd come back as Dates.
 */
export function readArguments ({ fail, defaultDirection, refuseArguments }) {
  let args
  try { args = JSON.parse(process.argv[2] ?? '') } catch (e) { fail(`the one argument must be a JSON object: ${e.message}`) }
  if (!args.peer || !/\/p2p\//.test(args.peer)) fail('"peer" must be a multiaddr ending in /p2p/<peer id>')
  if (!args.pubsubTopic) fail('"pubsubTopic" is required: the sdk queries one pubsub topic at a time')
  const contentTopics = args.contentTopics ?? []
  if (contentTopics.length === 0) fail('"contentTopics" is required: the sdk decodes only content topics it has a decoder for')
  refuseArguments(args)
  const direction = args.direction ?? defaultDirection
  if (direction !== 'forward' && direction !== 'backward') fail('"direction" is "forward" or "backward"')
  const api = args.api ?? 'generator'
  if (api !== 'generator' && api !== 'ordered') fail('"api" is "generator" or "ordered"')

  // The sdks take times as JavaScript Dates, so only whole milliseconds pass.
  function toDate (name) {
    const value = args[name]
    if (value === undefined || value === null) return undefined
    const ns = BigInt(value)
    if (ns % 1_000_000n !== 0n) fail(`"${name}" ${value} is not a whole millisecond: the sdk takes times as Dates`)
    return new Date(Number(ns / 1_000_000n))
  }
  const timeStart = toDate('timeStart')
  const timeEnd = toDate('timeEnd')
  return { args, contentTopics, direction, api, timeStart, timeEnd }
}

/** The cluster and shard of a static-sharding pubsub topic /waku/2/rs/<cluster>/<shard>, else undefined. */
export function staticShard (pubsubTopic) {
  const rs = /^\/waku\/2\/rs\/(\d+)\/(\d+)$/.exec(pubsubTopic)
  return rs ? { clusterId: Number(rs[1]), shard: Number(rs[2]) } : undefined
}

/** Fails unless the script is done within args.timeoutMs (default 30000); returns the timer for queryAndPrint. */
export function failAfterTimeout (args, fail) {
  const timeoutMs = args.timeoutMs ?? 30000
  return setTimeout(() => fail(`no result within ${timeoutMs} ms`), timeoutMs)
}

/** The light node start() resolves to; fails with the error's stack if it cannot be created or started. */
export async function startLightNode (start, fail) {
  try { return await start() } catch (e) { fail(`starting the light node failed: ${e.stack ?? e}`) }
}

/**
 * Dials address (the multiaddr of args.peer) and waits until identify has told the node that peerId speaks
 * storeCodec (listening before dialling, so no event is missed).
 */
export async function dialStorePeer ({ node, peer, address, peerId, storeCodec, fail }) {
  const storeKnown = new Promise((resolve) => {
    const check = async () => {
      try { if ((await node.libp2p.peerStore.get(peerId)).protocols.includes(storeCodec)) resolve() } catch { }
    }
    node.libp2p.addEventListener('peer:identify', (evt) => { if (evt.detail.peerId.equals(peerId)) void check() })
    node.libp2p.addEventListener('peer:update', (evt) => { if (evt.detail.peer.id.equals(peerId)) void check() })
    setTimeout(check, 0)
  })
  try {
    await node.libp2p.dial(address)
  } catch (e) { fail(`dialling ${peer} failed: ${e.message ?? e}`) }
  await storeKnown
}

/**
 * Runs one query with the sdk's store client (node.store: queryGenerator or queryWithOrderedCallback, both sdks
 * name them so) to the last page, prints a "message" line per message (messageHash(msg) gives its hex hash) and the
 * "summary" line, stops the node and exits 0.
 */
export async function queryAndPrint ({ node, decoders, options, api, messageHash, sdkVersion, storeCodec, timer, fail }) {
  let count = 0; let pages = 0; let payloadBytes = 0; let dropped = 0
  const lines = []
  const emit = (msg, page) => {
    count++; payloadBytes += msg.payload.length
    lines.push({
      event: 'message',
      page,
      messageHash: messageHash(msg),
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
      for await (const page of node.store.queryGenerator(decoders, options)) {
        pages++
        for (const msg of await Promise.all(page)) {
          if (msg) emit(msg, pages); else dropped++
        }
      }
    } else {
      await node.store.queryWithOrderedCallback(decoders, (msg) => { emit(msg, null) }, options)
    }
  } catch (e) { fail(`store query failed: ${e.message ?? e}`) }
  const elapsedMs = performance.now() - started

  lines.push({ event: 'summary', sdk: sdkVersion, protocol: storeCodec, api, count, pages: api === 'generator' ? pages : null, undecoded: dropped, elapsedMs, payloadBytes })
  clearTimeout(timer)
  await flush(lines)
  await node.stop()
  process.exit(0)
}
