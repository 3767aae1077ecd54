// trace-yjs.mjs - the yjs side of traces.test: replays an editing trace into
// a Y.Text "text" of a doc with a fixed client id, one transaction per patch
// (delete, then insert; positions converted from code points to UTF-16),
// checks endContent and writes the final v1 full state to STATEFILE.
//
// usage: node trace-yjs.mjs TRACE.json[.gz] STATEFILE [CLIENT]
import { createRequire } from 'module'
import { readFileSync, writeFileSync } from 'fs'
import { gunzipSync } from 'zlib'
const require = createRequire(new URL('../node/package.json', import.meta.url))
const Y = require('yjs')

const [path, out, client] = process.argv.slice(2)
let raw = readFileSync(path)
if (path.endsWith('.gz')) raw = gunzipSync(raw)
const trace = JSON.parse(raw.toString('utf8'))
const doc = new Y.Doc()
doc.clientID = client ? +client : 1
const text = doc.getText('text')
// code point shadow of the text, built once non-BMP characters appear
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
if (text.toString() !== trace.endContent) {
  console.error('trace-yjs: final text differs from endContent')
  process.exit(1)
}
writeFileSync(out, Y.encodeStateAsUpdate(doc))
