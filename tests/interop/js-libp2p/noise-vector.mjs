// Byte-exact Noise XX transcript from @chainsafe/libp2p-noise's own handshake state, for fixed keys.
// Input (argv[2], JSON, hex strings): {eI, sI, eR, sR} X25519 private keys, {payloadI, payloadR} handshake payloads.
// Output: {a, b, c} handshake messages and {t1, t2}: "hello" encrypted initiator→responder, "world" responder→initiator.
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import { wrapCrypto } from './node_modules/@chainsafe/libp2p-noise/dist/src/crypto.js'
import { XXHandshakeState, ZEROLEN } from './node_modules/@chainsafe/libp2p-noise/dist/src/protocol.js'
import { Uint8ArrayList } from 'uint8arraylist'

const v = JSON.parse(process.argv[2])
const hex = (b) => Buffer.from(b instanceof Uint8ArrayList ? b.subarray() : b).toString('hex')
const bytes = (h) => new Uint8Array(Buffer.from(h, 'hex'))
const key = (h) => defaultCrypto.generateX25519KeyPairFromSeed(bytes(h))

function crypto (ephemeral) {
  // The handshake state generates its ephemeral key itself: hand it the fixed one.
  return { ...wrapCrypto(defaultCrypto), generateKeypair: () => ephemeral }
}

const init = new XXHandshakeState({ crypto: crypto(key(v.eI)), protocolName: 'Noise_XX_25519_ChaChaPoly_SHA256', initiator: true, prologue: ZEROLEN, s: key(v.sI) })
const resp = new XXHandshakeState({ crypto: crypto(key(v.eR)), protocolName: 'Noise_XX_25519_ChaChaPoly_SHA256', initiator: false, prologue: ZEROLEN, s: key(v.sR) })

const a = init.writeMessageA(ZEROLEN)
resp.readMessageA(new Uint8ArrayList(a.subarray()))
const b = resp.writeMessageB(bytes(v.payloadR))
init.readMessageB(new Uint8ArrayList(b.subarray()))
const c = init.writeMessageC(bytes(v.payloadI))
resp.readMessageC(new Uint8ArrayList(c.subarray()))
const [i1] = init.ss.split()
const [, r2] = resp.ss.split()
const t1 = i1.encryptWithAd(ZEROLEN, new TextEncoder().encode('hello'))
const t2 = r2.encryptWithAd(ZEROLEN, new TextEncoder().encode('world'))
process.stdout.write(JSON.stringify({ a: hex(a), b: hex(b), c: hex(c), t1: hex(t1), t2: hex(t2) }) + '\n')
