// crosscheck.mjs - libyjs -> yjs cross-apply (spec/yjs.md 16.2 step 4).
//
// usage: node crosscheck.mjs CFILE      (CFILE = ydiff --emit-c output)
//
// For every case and every libyjs replica: a fresh yjs doc (roots typed
// first) given the C full state must show the same views as libyjs and
// re-encode it as a fresh libyjs doc does; and a fresh yjs doc given all the updates
// the libyjs replicas produced (per-transaction, replica by replica) must
// end without pending structs and agree with a fresh libyjs doc given the
// same updates in the same order (views and full state).  Prints TAP (one line) and the first mismatches.
import { createRequire } from 'module'
import { readFileSync } from 'fs'
const require = createRequire(new URL('../node/package.json', import.meta.url))
const Y = require('yjs')

const ROOTS = [['t', 'text'], ['a', 'array'], ['m', 'map'], ['xml', 'xmlelement']]
const hex = u => Buffer.from(u).toString('hex')
const unhex = h => new Uint8Array(Buffer.from(h, 'hex'))
const getRoot = (doc, name, kind) => ({ text: () => doc.getText(name), array: () => doc.getArray(name), map: () => doc.getMap(name), xmlelement: () => doc.get(name, Y.XmlElement) })[kind]()
const norm = v => JSON.parse(JSON.stringify(v, (k, x) => typeof x === 'bigint' ? Number(x) : x) ?? 'null')
const meshSer = node => node instanceof Y.XmlElement
  ? { element: { tagName: node.nodeName, attributes: node.getAttributes(), children: node.toArray().map(meshSer) } }
  : node instanceof Y.XmlText ? { text: { delta: node.toDelta() } } : { value: node.toJSON() }
function views (doc) {
  const v = {}
  for (const [name, kind] of ROOTS) v[name] = norm(getRoot(doc, name, kind).toJSON())
  v['delta:t'] = norm(doc.getText('t').toDelta())
  v['mesh:xml'] = norm(meshSer(doc.get('xml', Y.XmlElement)))
  return v
}
const canon = v => JSON.stringify(v, (k, x) => x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x)
const fresh = () => { const d = new Y.Doc(); d.clientID = 1; for (const [n, k] of ROOTS) getRoot(d, n, k); return d }

let cases = 0; let bad = 0; const msgs = []
const failed = (c, what) => { if (msgs.length < 10) msgs.push(`# case ${c}: ${what}`); return true }
for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (!line) continue
  const c = JSON.parse(line)
  cases++
  let f = false
  c.replicas.forEach((r, i) => {
    const d = fresh()
    try { Y.applyUpdate(d, unhex(r.full)) } catch (e) { f = failed(c.case, `replica ${i}: yjs throws on the libyjs full state: ${e.message}`); return }
    if (canon(views(d)) !== canon(r.views)) f = failed(c.case, `replica ${i}: views of yjs given the libyjs full state differ\n#   yjs:    ${canon(views(d))}\n#   libyjs: ${canon(r.views)}`)
    if (hex(Y.encodeStateAsUpdate(d)) !== r.refull) f = failed(c.case, `replica ${i}: yjs and libyjs re-encode the libyjs full state differently`)
  })
  const d = fresh()
  try {
    for (const r of c.replicas) for (const u of r.updates) Y.applyUpdate(d, unhex(u))
  } catch (e) { f = failed(c.case, `yjs throws on a libyjs update: ${e.message}`) }
  if (d.store.pendingStructs !== null) f = failed(c.case, 'libyjs updates leave yjs with pending structs')
  // same input, both implementations (not the replicas' views: yjs itself
  // can end differently when the order differs, e.g. split surrogate pairs)
  if (canon(views(d)) !== canon(c.all.views)) f = failed(c.case, `given all libyjs updates: views differ\n#   yjs:    ${canon(views(d))}\n#   libyjs: ${canon(c.all.views)}`)
  if (hex(Y.encodeStateAsUpdate(d)) !== c.all.full) f = failed(c.case, 'given all libyjs updates: full states differ')
  if (f) bad++
}
for (const m of msgs) console.log(m)
console.log(`${bad || !cases ? 'not ' : ''}ok - cross-apply libyjs -> yjs: ${cases} cases, ${bad} failed`)
process.exit(bad || !cases ? 1 : 0)
