// What the js peers (js-store/store-peer.mjs, js-waku-beta3/beta3-peer.mjs, js-peer-exchange/px-peer.mjs) share:
// varints and length-prefixed framing, reading one request off a stream, the libp2p node options of a serving peer,
// and the fault modes that do not depend on the protocol.
//
// No npm package is imported here: each script's packages resolve from its own folder's node_modules, so the
// libp2p factories are passed in by the script.
import { randomBytes } from 'node:crypto'

export function varint (n) {
  let v = BigInt(n); const b = []
  do { let byte = Number(v & 0x7fn); v >>= 7n; if (v > 0n) byte |= 0x80; b.push(byte) } while (v > 0n)
  return Buffer.from(b)
}

export function readVarint (buf, pos) {
  let result = 0n; let shift = 0n
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint')
    const b = buf[pos++]; result |= BigInt(b & 0x7f) << shift; shift += 7n
    if ((b & 0x80) === 0) return [result, pos]
    if (shift > 63n) throw new Error('varint too long')
  }
}

export const frame = (body) => Buffer.concat([varint(body.length), body])
export const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms))

// Reads one length-prefixed request and keeps reading the stream's remainder in the background. Returning from the
// read early would end the local read side, and the client's close-write arriving after that is a frame for a stream
// mplex no longer knows: js-libp2p's mplex drops the whole connection after 5 such frames a second, which js-waku's
// store client (mplex only, one stream per page) reaches on a fast multi-page query.
export async function readFrame (source) {
  const it = source[Symbol.asyncIterator]()
  let buf = Buffer.alloc(0)
  for (;;) {
    const { value, done } = await it.next()
    if (done) break
    buf = Buffer.concat([buf, value.subarray()])
    try {
      const [len, pos] = readVarint(buf, 0)
      if (buf.length >= pos + Number(len)) {
        void (async () => { try { while (!(await it.next()).done) { } } catch { } })()
        return buf.subarray(pos, pos + Number(len))
      }
    } catch (e) { if (!/truncated/.test(e.message)) throw e }
  }
  // js-waku's StreamManager opens streams ahead of use and may close them unused: no bytes at all is no request.
  if (buf.length === 0) return null
  throw new Error('stream ended before a whole request')
}

/** Options for createLibp2p: loopback TCP, Noise, yamux and mplex, identify and ping, no inbound rate limit. */
export function peerNodeOptions ({ tcp, noise, yamux, mplex, identify, ping }, privateKey) {
  return {
    privateKey,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux(), mplex()],
    services: { identify: identify({ timeout: 10000 }), ping: ping() },
    connectionManager: { inboundConnectionThreshold: 10000, maxIncomingPendingConnections: 1000, maxConnections: 1000 }
  }
}

/**
 * Sends one response body, or instead of it the transport-level fault configured for this request:
 * "garbage" (a frame of bytes no protobuf decoder accepts), "oversize" (announces 64 MiB, sends 64 KiB, stays open),
 * "lying-length" (announces 4096 bytes, sends 10, closes), "slow" (waits delayMs first), "reset" (half the frame,
 * then aborts the stream). Returns when done.
 */
export async function sendWithFaults (stream, body, fault, delayMs) {
  if (fault === 'garbage') {
    await stream.sink([frame(Buffer.from([0x07, 0x01, 0x02, 0xff, 0xff]))]); return
  }
  if (fault === 'oversize') {
    await stream.sink((async function * () { yield varint(64 * 1024 * 1024); yield Buffer.alloc(64 * 1024); await sleep(30000) })()).catch(() => {}); return
  }
  if (fault === 'lying-length') {
    await stream.sink([Buffer.concat([varint(4096), randomBytes(10)])]); return
  }
  if (fault === 'slow') await sleep(delayMs ?? 5000)
  const bytes = frame(body)
  if (fault === 'reset') {
    const done = stream.sink((async function * () {
      yield bytes.subarray(0, Math.floor(bytes.length / 2))
      setTimeout(() => stream.abort(new Error('test reset mid-page')), 50)
      await new Promise(() => {})
    })()).catch(() => {})
    await Promise.race([done, sleep(1000)]); return
  }
  await stream.sink([bytes])
}
