// crdt-bench.mjs - yjs side of the CRDT benchmark (see crdt-bench.c for
// the figures).  Memory: process.memoryUsage().heapUsed after gc, so run
// with node --expose-gc.
//
// usage: node --expose-gc crdt-bench.mjs TRACE.json[.gz]
import { createRequire } from 'module'
import { readFileSync } from 'fs'
import { gunzipSync } from 'zlib'
import { performance } from 'perf_hooks'
const require = createRequire(new URL('../node/package.json', import.meta.url))
const Y = require('yjs')

const path = process.argv[2]
let raw = readFileSync(path)
if (path.endsWith('.gz')) raw = gunzipSync(raw)
const trace = JSON.parse(raw.toString('utf8'))
raw = null
const gc = globalThis.gc || (() => {})
const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed }
const out = (name, v, unit) => console.log(`${name} ${typeof v === 'number' && unit !== 'B' ? v.toFixed(unit === 'MB' ? 2 : name === 'encode' ? 2 : 1) : v} ${unit}`)

function replay (subscribe, limit = Infinity) {
  const doc = new Y.Doc()
  doc.clientID = 1
  const text = doc.getText('text')
  let bytes = 0
  if (subscribe) doc.on('update', u => { bytes += Uint8Array.from(u).length })
  let shadow = null
  const units = (from, n) => { let u = 0; for (let i = from; i < from + n; i++) u += shadow[i].length; return u }
  for (const txn of trace.txns) {
    if (limit-- <= 0) break
    for (const [pos, del, ins] of txn.patches) {
      if (!shadow && /[\u{10000}-\u{10FFFF}]/u.test(ins)) shadow = [...text.toString()]
      const upos = shadow ? units(0, pos) : pos
      const udel = shadow ? units(pos, del) : del
      doc.transact(() => {
        if (udel) text.delete(upos, udel)
        if (ins.length) text.insert(upos, ins)
      })
      if (shadow) shadow.splice(pos, del, ...ins)
    }
  }
  return { doc, bytes }
}

// Memory held by a doc: heap (after gc) with it alive minus heap before
// it was built, as the C side does with mallinfo2.  V8 keeps a dropped
// document alive for an unpredictable while (a gc or two later it goes), so
// the figures take care that no other document is collected in between:
// the replayed doc is the first big one of the process (after a short
// warm-up replay, so that compiling yjs's code is not counted), and the
// loaded doc is sampled until its size shows the same on the way in (heap
// with it minus heap before) and on the way out (heap with it minus heap
// once dropped); the median of 5 such samples is reported.
let sink = null
replay(false, 300)
let h0 = heap()
let t0 = performance.now()
let r = replay(false)
let t1 = performance.now()
let h1 = heap()
out('replay', t1 - t0, 'ms')
out('mem-replayed', (h1 - h0) / 1e6, 'MB')
if (r.doc.getText('text').toString() !== trace.endContent) { console.error('final text differs'); process.exit(1) }
const state = Y.encodeStateAsUpdate(r.doc)
r = null
t0 = performance.now()
r = replay(true)
t1 = performance.now()
out('replay+upd', t1 - t0, 'ms')
out('update-bytes', r.bytes, 'B')
r = null
// decode and encode: median of REPS runs, like the C side (one sample of
// a few milliseconds is mostly scheduler noise and warm-up)
const REPS = 7
const median = v => v.sort((a, b) => a - b)[v.length >> 1]
function load () {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, state)
  return doc
}
const dec = []
for (let i = 0; i < REPS; i++) {
  t0 = performance.now()
  sink = load()
  t1 = performance.now()
  dec.push(t1 - t0)
}
sink = null
out('decode', median(dec), 'ms')
function memSample () {
  const h0 = heap()
  let doc = load()
  const h1 = heap()
  sink = doc.clientID
  doc = null
  return [h1 - h0, h1 - heap()]
}
const mem = []
for (let i = 0; i < 40 && mem.length < 5; i++) {
  const [din, dout] = memSample()
  if (din > 0 && Math.abs(din - dout) <= 0.05 * din) mem.push(din)
}
out('mem-loaded', mem.length ? median(mem) / 1e6 : 'n/a', 'MB')
const doc2 = load()
const enc = []
let s2 = null
for (let i = 0; i < REPS; i++) {
  t0 = performance.now()
  s2 = Y.encodeStateAsUpdate(doc2)
  t1 = performance.now()
  enc.push(t1 - t0)
}
out('encode', median(enc), 'ms')
out('state-bytes', s2.length, 'B')
