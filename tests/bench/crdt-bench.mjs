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
const out = (name, v, unit) => console.log(`${name} ${typeof v === 'number' && unit !== 'B' ? v.toFixed(unit === 'MB' ? 2 : 1) : v} ${unit}`)

function replay (subscribe) {
  const doc = new Y.Doc()
  doc.clientID = 1
  const text = doc.getText('text')
  let bytes = 0
  if (subscribe) doc.on('update', u => { bytes += Uint8Array.from(u).length })
  let shadow = null
  const units = (from, n) => { let u = 0; for (let i = from; i < from + n; i++) u += shadow[i].length; return u }
  for (const txn of trace.txns) {
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

// memory held by a doc: heap with it alive minus heap once it is dropped
let t0 = performance.now()
let r = replay(false)
let t1 = performance.now()
out('replay', t1 - t0, 'ms')
if (r.doc.getText('text').toString() !== trace.endContent) { console.error('final text differs'); process.exit(1) }
const state = Y.encodeStateAsUpdate(r.doc)
let h1 = heap()
r = null
// (V8 does not always give the replayed doc's heap back at once; a
// non-positive difference is reported as n/a)
const mr = (h1 - heap()) / 1e6
if (mr > 0) out('mem-replayed', mr, 'MB'); else out('mem-replayed', 'n/a', 'MB')
t0 = performance.now()
r = replay(true)
t1 = performance.now()
out('replay+upd', t1 - t0, 'ms')
out('update-bytes', r.bytes, 'B')
r = null
t0 = performance.now()
let doc2 = new Y.Doc()
Y.applyUpdate(doc2, state)
t1 = performance.now()
out('decode', t1 - t0, 'ms')
t0 = performance.now()
const s2 = Y.encodeStateAsUpdate(doc2)
t1 = performance.now()
h1 = heap()
doc2 = null
out('mem-loaded', (h1 - heap()) / 1e6, 'MB')
out('encode', t1 - t0, 'ms')
out('state-bytes', s2.length, 'B')
