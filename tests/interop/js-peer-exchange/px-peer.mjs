// js-libp2p 2.10 peer serving Waku peer exchange (/vac/waku/peer-exchange/2.0.0-alpha1,
// shared/reference/nwaku-store-format.md §6) with ENRs created and signed by @waku/enr, for the C# reseed-peers
// interop tests. The node itself has a secp256k1 identity, as nwaku does. The protobuf is encoded and decoded by
// hand here (independent of Google.Protobuf); what the test compares against comes from @waku/enr decoding the
// records it made.
//
// One JSON argument configures it:
//   {"peers": 4, "fault": null | "garbage" | "status" | "oversize" | "bad-signature" | "no-status" | "slow",
//    "status": 429, "badIndex": 1, "delayMs": 5000,
//    "keys": ["<secp256k1 private key hex>", ...], "seqBump": 0, "subnet": 0}
// "keys" signs records for the peers another instance printed (its "key" fields), "seqBump" raises their sequence
// numbers and "subnet" changes their IPv4 addresses (10.<subnet>.i.i+1): newer records of the same peers.
// stdout, one JSON object a line: {"event":"enr",...} per record, {"event":"listening",...}, then
// {"event":"request","numPeers":n} per request.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { mplex } from '@libp2p/mplex'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { generateKeyPair, privateKeyFromRaw, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { EnrCreator, EnrDecoder } from '@waku/enr'
// @waku/enr 0.0.33 leaves its encoder out of the package's exports map; load the module file itself.
import { EnrEncoder } from './node_modules/@waku/enr/dist/encoder.js'
import { varint, readVarint, frame, readFrame, sleep, peerNodeOptions } from '../js-peer-common.mjs'

const PX = '/vac/waku/peer-exchange/2.0.0-alpha1'
const config = JSON.parse(process.argv[2] ?? '{}')
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const hex = (b) => Buffer.from(b).toString('hex')

// ---- protobuf, by hand ----
const tag = (field, wire) => varint((field << 3) | wire)
const fBytes = (field, b) => Buffer.concat([tag(field, 2), varint(b.length), Buffer.from(b)])
const fVarint = (field, v) => Buffer.concat([tag(field, 0), varint(v)])

// PeerExchangeRPC{query(1){num_peers(1)}}
function decodeNumPeers (buf) {
  let pos = 0; let numPeers = null
  while (pos < buf.length) {
    let key; [key, pos] = readVarint(buf, pos)
    if (Number(key & 7n) !== 2) throw new Error('unexpected wire type')
    let len; [len, pos] = readVarint(buf, pos); const body = buf.subarray(pos, pos + Number(len)); pos += Number(len)
    if (Number(key >> 3n) !== 1) continue
    let p = 0
    while (p < body.length) {
      let k; [k, p] = readVarint(body, p); let v; [v, p] = readVarint(body, p)
      if (Number(k >> 3n) === 1) numPeers = Number(v)
    }
  }
  return numPeers
}

// PeerExchangeRPC{response(2){peer_infos(1){enr(1)}*, status_code(10), status_desc(11)}}
function encodeResponse (records, status, desc) {
  const parts = records.map(r => fBytes(1, fBytes(1, r)))
  if (status !== undefined) { parts.push(fVarint(10, status)); parts.push(fBytes(11, Buffer.from(desc, 'utf8'))) }
  return fBytes(2, Buffer.concat(parts))
}

// ---- the records, made and signed by @waku/enr ----
const count = config.peers ?? 4
const records = []
for (let i = 0; i < count; i++) {
  const key = config.keys?.[i] ? privateKeyFromRaw(Buffer.from(config.keys[i], 'hex')) : await generateKeyPair('secp256k1')
  const peerId = peerIdFromPrivateKey(key)
  const enr = await EnrCreator.fromPeerId(peerId)
  enr.ip = `10.${config.subnet ?? 0}.${i}.${i + 1}`
  enr.tcp = 60000 + i
  if (i % 2 === 1) { enr.ip6 = `fd00::${i + 1}`; enr.tcp6 = 61000 + i }
  if (i % 3 === 0) enr.multiaddrs = [multiaddr(`/dns4/node-${i}.example.org/tcp/443/wss`), multiaddr(`/dns4/node-${i}.example.org/tcp/8000/ws`)]
  enr.waku2 = { relay: true, store: i % 2 === 0, filter: i % 3 === 0, lightPush: false }
  if (config.seqBump) enr.seq += BigInt(config.seqBump)
  let text = await EnrEncoder.toString(enr, key.raw)
  let bytes = Buffer.from(text.slice(4), 'base64url')
  let tampered = false
  if (config.fault === 'bad-signature' && i === (config.badIndex ?? 1)) {
    // Flip one bit of the signature (it starts after the list header and the 0xb840 string header).
    bytes = Buffer.from(bytes); bytes[bytes.length > 57 ? 5 : 3] ^= 0x01; tampered = true
    text = 'enr:' + bytes.toString('base64url')
  }
  let jsRejects = false
  let decoded = null
  try { decoded = await EnrDecoder.fromString(text) } catch { jsRejects = true }
  const location = []
  if (decoded) {
    for (const p of ['tcp4', 'tcp6']) { const m = decoded.getLocationMultiaddr(p); if (m) location.push(m.toString()) }
    for (const m of decoded.multiaddrs ?? []) location.push(m.toString())
  }
  records.push(bytes)
  out({
    event: 'enr', index: i, enr: text, tampered, jsRejects, key: hex(key.raw),
    peerId: decoded?.peerId?.toString() ?? peerId.toString(),
    publicKey: hex(publicKeyToProtobuf(key.publicKey)),
    secp256k1: hex(decoded?.publicKey ?? key.publicKey.raw),
    seq: decoded ? decoded.seq.toString() : null,
    listenAddrs: location,
    dialAddrs: decoded ? [...(decoded.getFullMultiaddr('tcp4') ? [decoded.getFullMultiaddr('tcp4').toString()] : []), ...decoded.getFullMultiaddrs().map(m => m.toString())] : [],
    waku2: decoded?.waku2 ?? null
  })
}

const privateKey = await generateKeyPair('secp256k1')
const node = await createLibp2p(peerNodeOptions({ tcp, noise, yamux, mplex, identify, ping }, privateKey))

await node.handle(PX, async ({ stream }) => {
  const body = await readFrame(stream.source)
  if (body === null) return
  const numPeers = decodeNumPeers(body)
  out({ event: 'request', numPeers })
  const served = records.slice(0, numPeers ?? records.length)
  switch (config.fault) {
    case 'garbage':
      await stream.sink([frame(Buffer.from([0x12, 0x09, 0xff, 0xff, 0x01]))]); return
    case 'status':
      await stream.sink([frame(encodeResponse([], config.status ?? 429, 'test status'))]); return
    case 'oversize':
      // Announce 64 MiB, send 64 KiB of it, then keep the stream open.
      await stream.sink((async function * () { yield varint(64 * 1024 * 1024); yield Buffer.alloc(64 * 1024); await sleep(30000) })()).catch(() => {}); return
    case 'no-status':
      // A node before v0.33: no status fields.
      await stream.sink([frame(encodeResponse(served))]); return
    case 'slow':
      await sleep(config.delayMs ?? 5000); break
  }
  await stream.sink([frame(encodeResponse(served, 200, 'OK'))])
}, { maxInboundStreams: 512, maxOutboundStreams: 512 })

out({
  event: 'listening',
  peerId: node.peerId.toString(),
  publicKey: hex(publicKeyToProtobuf(privateKey.publicKey)),
  addrs: node.getMultiaddrs().map(a => a.toString()),
  protocols: node.getProtocols()
})
process.stdin.on('end', async () => { await node.stop(); process.exit(0) })
process.stdin.resume()
