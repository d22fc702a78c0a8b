// Throughput of one Noise+yamux stream over loopback, for bench/Waku.StoreForensics.Libp2pBench.
//   {"mode":"jsjs","bytes":N}  two js-libp2p nodes in this process; prints {"bytes":N,"seconds":s}
//   {"mode":"listen"}          one node with /bench/sink; prints {"addrs":[...]} and serves until stdin ends
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { generateKeyPair } from '@libp2p/crypto/keys'

const config = JSON.parse(process.argv[2] ?? '{}')
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')

async function node (listen) {
  return createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: listen ? ['/ip4/127.0.0.1/tcp/0'] : [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
}

async function serveSink (n) {
  // Drain everything, then answer one byte so the sender can stop its clock after the last byte arrived.
  await n.handle('/bench/sink/1.0.0', async ({ stream }) => {
    for await (const _ of stream.source) { }
    await stream.sink([new Uint8Array([1])])
  })
}

const chunk = new Uint8Array(64 * 1024).map((_, i) => i & 0xff)

if (config.mode === 'listen') {
  const n = await node(true)
  await serveSink(n)
  out({ addrs: n.getMultiaddrs().map(a => a.toString()) })
  process.stdin.on('end', async () => { await n.stop(); process.exit(0) })
  process.stdin.resume()
} else {
  const receiver = await node(true)
  await serveSink(receiver)
  const sender = await node(false)
  const total = config.bytes
  const stream = await sender.dialProtocol(receiver.getMultiaddrs()[0], '/bench/sink/1.0.0')
  const started = process.hrtime.bigint()
  await Promise.all([
    stream.sink((async function * () { for (let sent = 0; sent < total; sent += chunk.length) yield chunk })()),
    (async () => { for await (const _ of stream.source) { } })()
  ])
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  out({ bytes: total, seconds })
  await sender.stop()
  await receiver.stop()
  process.exit(0)
}
