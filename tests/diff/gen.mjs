// gen.mjs - random differential scenarios run in yjs (the oracle).
//
// Usage:
//   node gen.mjs [--cases N] [--seed S] [--steps K] [--out FILE]
//   node gen.mjs --replay CASEFILE.json [--out FILE]   (used by shrink.mjs)
//
// Each case: 2-4 replicas with fixed distinct client ids, all with the roots
// t:text, a:array, m:map, xml:xmlelement typed up front (MeshAgent opens
// doc.get('xml', Y.XmlElement)).  Steps are local transactions (a list of
// operations on types addressed by a path from a root) or network steps
// (deliver logged per-transaction updates of one replica to another, in
// order / reordered / duplicated / with drops, or a state-vector sync).
// The case ends with an all-to-all sync.
//
// Output: JSON lines, consumed by ydiff.c:
//   {"case":S,"cat":C,"clients":[...],"roots":[[name,kind],...]}
//   {"i":n,"r":R,"tx":[[path,op,args],...],"emit":[[hex,local],...],"after":STATE}
//   {"i":n,"net":"log","src":A,"dst":B,"idx":[...],"emit":[...],"after":STATE}
//   {"i":n,"net":"sync","src":A,"dst":B,"u":hex,"emit":[...],"after":STATE}
//   {"end":S,"converged":bool,"final":[STATE + {refull, reviews}, ...]}
// (refull/reviews: a fresh doc with the roots typed, given that full state)
// STATE = {"r":R,"sv":hex,"full":hex,"pending":bool,"views":{...}}
//
// Operations (path = [rootName, index|key, ...] resolving to a type):
//   text:  tins [index, string, attrs|null]   tdel [index, len]
//          tfmt [index, len, attrs]           temb [index, embed, attrs|null]
//          tdelta [[{insert|retain|delete, attributes?}, ...]]
//   list:  lins [index, values]  lpush [values]  ldel [index, len]
//          ltype [index, kind, nodeName?]   lafter [refIndex|-1, kind, nodeName?]
//   map:   mset [key, value]  mdel [key]  mtype [key, kind, nodeName?]
// A step whose operation is invalid in the current state (possible when
// shrinking drops steps) is recorded with "tx":[] and nothing is executed.
//
// Values that JSON cannot carry are tagged: {"$t":"undef"|"nan"|"inf"|
// "-inf"|"-0"}, {"$t":"big","v":"123"}, {"$t":"bytes","v":"hex"}.
//
// Views (normalisation): for each root, JSON.parse(JSON.stringify(toJSON()))
// with bigint -> Number (so undefined members vanish, NaN/Infinity become
// null, Uint8Array becomes {"0":..}: what libyjs's y_type_to_json prints);
// "delta:t" = toDelta() of root t; "mesh:xml" = MeshAgent's serialize() tree
// of root xml (spec 9.7).  ydiff compares views as parsed JSON values, so
// object key order (which legitimately differs between replicas, spec 9.1)
// does not matter.
import { createRequire } from 'module'
import { readFileSync, writeFileSync, openSync, writeSync, closeSync } from 'fs'
const require = createRequire(new URL('../node/package.json', import.meta.url))
const Y = require('yjs')

const hex = u => Buffer.from(u).toString('hex')
const ROOTS = [['t', 'text'], ['a', 'array'], ['m', 'map'], ['xml', 'xmlelement']]
const CATS = ['text', 'format', 'array', 'map', 'xml', 'mixed']

// ---- PRNG (mulberry32) --------------------------------------------------
function prng (seed) {
  let s = seed >>> 0
  const next = () => {
    s = (s + 0x6D2B79F5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = n => Math.floor(next() * n)
  return { next, int, pick: a => a[int(a.length)], chance: p => next() < p }
}

// ---- value encoding ------------------------------------------------------
function toWire (v) {
  if (v === undefined) return { $t: 'undef' }
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { $t: 'nan' }
    if (v === Infinity) return { $t: 'inf' }
    if (v === -Infinity) return { $t: '-inf' }
    if (Object.is(v, -0)) return { $t: '-0' }
    return v
  }
  if (typeof v === 'bigint') return { $t: 'big', v: v.toString() }
  if (v instanceof Uint8Array) return { $t: 'bytes', v: hex(v) }
  if (Array.isArray(v)) return v.map(toWire)
  if (v !== null && typeof v === 'object') {
    const o = {}
    for (const [k, x] of Object.entries(v)) o[k] = toWire(x)
    return o
  }
  return v
}
function fromWire (w) {
  if (Array.isArray(w)) return w.map(fromWire)
  if (w !== null && typeof w === 'object') {
    if (typeof w.$t === 'string') {
      switch (w.$t) {
        case 'undef': return undefined
        case 'nan': return NaN
        case 'inf': return Infinity
        case '-inf': return -Infinity
        case '-0': return -0
        case 'big': return BigInt(w.v)
        case 'bytes': return new Uint8Array(Buffer.from(w.v, 'hex'))
      }
    }
    const o = {}
    for (const [k, x] of Object.entries(w)) o[k] = fromWire(x)
    return o
  }
  return w
}

// ---- random content --------------------------------------------------------
const STRINGS = ['a', 'bc', 'hello ', 'xyz', 'é', 'ü', '😀', '👍🏽', 'e\u0301', '中文', '\n', 'a\u0000b', '𝄞x', '"\\', 'ß']
const ATTRS = [{ bold: true }, { bold: null }, { italic: true }, { italic: null }, { color: '#f00' }, { link: { href: 'x' } }, { bold: true, italic: null }, { size: 12 }]
const EMBEDS = [{ image: 'x.png' }, { formula: 'e=mc^2' }, 42, [1, 'x']] // a string would be inserted as text
const KEYS = ['k', 'a', 'b', 'name', '1', 'é', '10', 'x y']
const NODES = ['p', 'div', 'body', 'span']

function randStr (R) {
  let s = ''
  const n = 1 + R.int(3)
  for (let i = 0; i < n; i++) s += R.pick(STRINGS)
  return s
}
function randAny (R, depth = 0) {
  switch (R.int(depth > 1 ? 14 : 17)) {
    case 0: return null
    case 1: return R.chance(0.5)
    case 2: return R.int(100)
    case 3: return -R.int(1 << 30)
    case 4: return 2 ** 31 + R.int(1000)
    case 5: return R.pick([1.5, -2.75, 0.1, 1e300, 123456789.125, 1e21, 1e-7, -0, NaN, Infinity, -Infinity, 2 ** 53])
    case 6: return R.pick([12345678901234n, -1n, 0n, 2n ** 52n])
    case 7: return randStr(R)
    case 8: return new Uint8Array(Array.from({ length: R.int(4) }, () => R.int(256)))
    case 9: return ''
    case 10: return R.pick(KEYS)
    case 11: return R.int(10) - 5
    case 12: return R.next()
    case 13: return 'x'
    case 14: return Array.from({ length: R.int(3) }, () => randAny(R, depth + 1))
    case 15: case 16: {
      const o = {}
      for (let i = R.int(3); i > 0; i--) o[R.pick(KEYS)] = randAny(R, depth + 1)
      return o
    }
  }
}
// yjs lists throw on top-level undefined and bigint (typeListInsertGenerics)
function randListValue (R) {
  let v
  do v = randAny(R); while (v === undefined || typeof v === 'bigint')
  return v
}

// ---- path resolution -------------------------------------------------------
function resolve (doc, path) {
  const kinds = Object.fromEntries(ROOTS)
  let t = getRoot(doc, path[0], kinds[path[0]])
  for (let i = 1; i < path.length; i++) {
    const p = path[i]
    let v
    if (typeof p === 'number') {
      if (!(t instanceof Y.Array || t instanceof Y.XmlFragment)) return null
      if (p < 0 || p >= t.length) return null
      v = t.get(p)
    } else {
      if (!(t instanceof Y.Map)) return null
      v = t.get(p)
    }
    if (!(v instanceof Y.AbstractType)) return null
    t = v
  }
  return t
}
function getRoot (doc, name, kind) {
  switch (kind) {
    case 'text': return doc.getText(name)
    case 'array': return doc.getArray(name)
    case 'map': return doc.getMap(name)
    case 'xmlelement': return doc.get(name, Y.XmlElement)
    case 'xmlfragment': return doc.getXmlFragment(name)
  }
}
const isText = t => t instanceof Y.Text // XmlText extends Text
const isList = t => t instanceof Y.Array || t instanceof Y.XmlFragment // XmlElement extends XmlFragment
const isMap = t => t instanceof Y.Map || t instanceof Y.XmlElement
const isXml = t => t instanceof Y.XmlFragment

function newType (kind, name) {
  switch (kind) {
    case 'map': return new Y.Map()
    case 'array': return new Y.Array()
    case 'text': return new Y.Text()
    case 'xmlelement': return new Y.XmlElement(name)
    case 'xmltext': return new Y.XmlText()
  }
  throw new Error('bad kind ' + kind)
}

// Executes one operation; returns false (doing nothing) if it is invalid.
function valid (t, op, args) {
  if (t === null) return false
  const len = t.length
  switch (op) {
    case 'tins': case 'temb': return isText(t) && args[0] <= len
    case 'tdel': case 'tfmt': return isText(t) && args[0] + args[1] <= len && args[1] > 0
    case 'tdelta': {
      if (!isText(t)) return false
      // retain and delete both consume characters of the current text
      let pos = 0
      for (const d of args[0]) {
        if (d.retain !== undefined) pos += d.retain
        else if (d.delete !== undefined) pos += d.delete
        if (pos > len) return false
      }
      return true
    }
    case 'lins': return isList(t) && !isXml(t) && args[0] <= len
    case 'lpush': return t instanceof Y.Array
    case 'ldel': return isList(t) && args[0] + args[1] <= len && args[1] > 0
    case 'ltype': return isList(t) && args[0] <= len && (isXml(t) === (args[1] === 'xmlelement' || args[1] === 'xmltext'))
    case 'lafter': return isXml(t) && args[0] < len && args[0] >= -1 && (args[1] === 'xmlelement' || args[1] === 'xmltext')
    case 'mset': return isMap(t)
    case 'mtype': return t instanceof Y.Map
    case 'mdel': return isMap(t) && (t instanceof Y.Map ? t.has(args[0]) : t.getAttribute(args[0]) !== undefined)
  }
  return false
}
function exec (t, op, a) {
  switch (op) {
    case 'tins': if (a[2] === null) t.insert(a[0], a[1]); else t.insert(a[0], a[1], fromWire(a[2])); break
    case 'tdel': t.delete(a[0], a[1]); break
    case 'tfmt': t.format(a[0], a[1], fromWire(a[2])); break
    case 'temb': if (a[2] === null) t.insertEmbed(a[0], fromWire(a[1])); else t.insertEmbed(a[0], fromWire(a[1]), fromWire(a[2])); break
    case 'tdelta': t.applyDelta(fromWire(a[0])); break
    case 'lins': t.insert(a[0], fromWire(a[1])); break
    case 'lpush': t.push(fromWire(a[0])); break
    case 'ldel': t.delete(a[0], a[1]); break
    case 'ltype': t.insert(a[0], [newType(a[1], a[2])]); break
    case 'lafter': t.insertAfter(a[0] < 0 ? null : t.get(a[0]), [newType(a[1], a[2])]); break
    case 'mset': if (t instanceof Y.Map) t.set(a[0], fromWire(a[1])); else t.setAttribute(a[0], fromWire(a[1])); break
    case 'mtype': t.set(a[0], newType(a[1], a[2])); break
    case 'mdel': if (t instanceof Y.Map) t.delete(a[0]); else t.removeAttribute(a[0]); break
  }
}

// ---- views -----------------------------------------------------------------
const norm = v => JSON.parse(JSON.stringify(v, (k, x) => typeof x === 'bigint' ? Number(x) : x) ?? 'null')
function meshSer (node) {
  if (node instanceof Y.XmlElement) return { element: { tagName: node.nodeName, attributes: node.getAttributes(), children: node.toArray().map(meshSer) } }
  if (node instanceof Y.XmlText) return { text: { delta: node.toDelta() } }
  return { value: node.toJSON() }
}
function views (doc) {
  const v = {}
  for (const [name, kind] of ROOTS) v[name] = norm(getRoot(doc, name, kind).toJSON())
  v['delta:t'] = norm(doc.getText('t').toDelta())
  v['mesh:xml'] = norm(meshSer(doc.get('xml', Y.XmlElement)))
  return v
}
function state (doc, r) {
  return {
    r,
    sv: hex(Y.encodeStateVector(doc)),
    full: hex(Y.encodeStateAsUpdate(doc)),
    pending: doc.store.pendingStructs !== null || doc.store.pendingDs !== null,
    views: views(doc)
  }
}

// ---- random steps ------------------------------------------------------------
// Collects the types reachable from the roots, with their paths.
function collect (doc) {
  const out = []
  const walk = (t, path) => {
    out.push([t, path])
    if (isList(t)) t.toArray().forEach((c, i) => { if (c instanceof Y.AbstractType) walk(c, [...path, i]) })
    if (t instanceof Y.Map) for (const [k, c] of t.entries()) if (c instanceof Y.AbstractType) walk(c, [...path, k])
  }
  for (const [name, kind] of ROOTS) walk(getRoot(doc, name, kind), [name])
  return out
}

function textOp (R, t, path, cat) {
  const len = t.length
  const r = R.int(cat === 'format' ? 10 : 8)
  if (r < 4 || len === 0) {
    const attrs = cat === 'format' && R.chance(0.5) ? toWire(R.pick(ATTRS)) : null
    return [path, 'tins', [R.int(len + 1), randStr(R), attrs]]
  }
  if (r < 6) { const i = R.int(len); return [path, 'tdel', [i, 1 + R.int(Math.min(5, len - i))]] }
  if (r === 6) return [path, 'temb', [R.int(len + 1), toWire(R.pick(EMBEDS)), cat === 'format' && R.chance(0.5) ? toWire(R.pick(ATTRS)) : null]]
  if (r === 7) {
    // applyDelta: retain, then insert or delete
    const i = R.int(len + 1); const d = []
    if (i) d.push(R.chance(0.3) && cat === 'format' ? { retain: i, attributes: R.pick(ATTRS) } : { retain: i })
    if (R.chance(0.5) || i === len) d.push(R.chance(0.5) ? { insert: randStr(R) } : { insert: randStr(R), attributes: R.pick(ATTRS) })
    else d.push({ delete: 1 + R.int(Math.min(3, len - i)) })
    return [path, 'tdelta', [toWire(d)]]
  }
  const i = R.int(len); return [path, 'tfmt', [i, 1 + R.int(Math.min(6, len - i)), toWire(R.pick(ATTRS))]]
}

let idCounter = 0
function xmlNodeTx (R, path, index, after) {
  // "insert empty element, then fill it": children first, then attributes
  // (the order yjs uses for prelim elements, spec 10.7)
  const tx = []
  const text = R.chance(0.5)
  const name = text ? 'text' : R.pick(NODES)
  if (after) tx.push([path, 'lafter', [index, 'xmlelement', name]])
  else tx.push([path, 'ltype', [index, 'xmlelement', name]])
  const pos = after ? index + 1 : index
  const el = [...path, pos]
  if (text) {
    tx.push([el, 'ltype', [0, 'xmltext']])
    const d = [{ insert: randStr(R) }]
    if (R.chance(0.5)) d.push({ insert: randStr(R), attributes: R.pick(ATTRS) })
    tx.push([[...el, 0], 'tdelta', [toWire(d)]])
  } else if (R.chance(0.5)) {
    tx.push([el, 'ltype', [0, 'xmlelement', R.pick(NODES)]])
    tx.push([[...el, 0], 'mset', ['$id', 'id-' + (++idCounter)]])
  }
  tx.push([el, 'mset', ['$id', 'id-' + (++idCounter)]])
  if (R.chance(0.5)) tx.push([el, 'mset', [R.pick(['class', 'style', 'data-x']), toWire(R.chance(0.8) ? randStr(R) : randAny(R))]])
  return tx
}

function localStep (R, doc, cat) {
  const all = collect(doc)
  const pickType = pred => { const c = all.filter(([t, p]) => pred(t, p)); return c.length ? R.pick(c) : null }
  let want = cat
  if (cat === 'mixed' || cat === 'format') want = R.pick(cat === 'format' ? ['format', 'format', 'xml'] : ['text', 'format', 'array', 'map', 'xml'])
  if (want === 'text' || want === 'format') {
    const [t, p] = pickType((t, p) => isText(t) && (p[0] !== 'xml' || want === 'format')) || [doc.getText('t'), ['t']]
    return [textOp(R, t, p, want)]
  }
  if (want === 'array') {
    const [t, p] = pickType(t => t instanceof Y.Array) || [doc.getArray('a'), ['a']]
    const len = t.length; const r = R.int(10)
    if (r < 3) return [[p, 'lins', [R.int(len + 1), toWire(Array.from({ length: 1 + R.int(3) }, () => randListValue(R)))]]]
    if (r < 5) return [[p, 'lpush', [toWire(Array.from({ length: 1 + R.int(2) }, () => randListValue(R)))]]]
    if (r < 7 && len) { const i = R.int(len); return [[p, 'ldel', [i, 1 + R.int(Math.min(3, len - i))]]] }
    // nested type, then fill it in the same transaction
    const i = R.int(len + 1); const kind = R.pick(['map', 'text', 'array'])
    const tx = [[p, 'ltype', [i, kind]]]
    const q = [...p, i]
    if (kind === 'map') tx.push([q, 'mset', [R.pick(KEYS), toWire(randAny(R))]])
    if (kind === 'text') tx.push([q, 'tins', [0, randStr(R), null]])
    if (kind === 'array') tx.push([q, 'lins', [0, toWire([randListValue(R), randListValue(R)])]])
    return tx
  }
  if (want === 'map') {
    const [t, p] = pickType(t => t instanceof Y.Map) || [doc.getMap('m'), ['m']]
    const r = R.int(10); const keys = [...t.keys()]
    if (r < 6) return [[p, 'mset', [R.pick(KEYS), toWire(randAny(R))]]]
    if (r < 8 && keys.length) return [[p, 'mdel', [R.pick(keys)]]]
    const kind = R.pick(['map', 'text', 'array']); const k = R.pick(KEYS)
    const tx = [[p, 'mtype', [k, kind]]]
    if (kind === 'map') tx.push([[...p, k], 'mset', [R.pick(KEYS), toWire(randAny(R))]])
    if (kind === 'text') tx.push([[...p, k], 'tins', [0, randStr(R), null]])
    return tx
  }
  // xml
  const [t, p] = pickType(t => t instanceof Y.XmlElement && t.nodeName !== 'text') || [doc.get('xml', Y.XmlElement), ['xml']]
  const len = t.length; const r = R.int(12)
  if (r < 4) return xmlNodeTx(R, p, R.int(len + 1), false)
  if (r < 6 && len) return xmlNodeTx(R, p, R.int(len + 1) - 1, true)
  if (r < 7 && len) return [[p, 'ldel', [R.int(len), 1]]]
  if (r < 8) return [[p, 'mset', [R.pick(['class', 'style', '$id']), toWire(R.chance(0.8) ? randStr(R) : randAny(R))]]]
  if (r < 9) { const keys = Object.keys(t.getAttributes()); if (keys.length) return [[p, 'mdel', [R.pick(keys)]]] }
  const tt = pickType((t, p) => t instanceof Y.XmlText)
  if (tt) return [textOp(R, tt[0], tt[1], 'format')]
  return xmlNodeTx(R, p, 0, false)
}

// ---- running a case ------------------------------------------------------------
// steps: null = generate (seed-driven), else replay that list.
function runCase (seed, cat, nsteps, steps, write) {
  const R = prng(seed * 7919 + 17)
  const n = steps ? steps.nrep : 2 + R.int(3)
  const clients = steps ? steps.clients : Array.from({ length: n }, (_, i) => 100 + i * 37 + R.int(30))
  const docs = clients.map(c => { const d = new Y.Doc(); d.clientID = c; for (const [name, kind] of ROOTS) getRoot(d, name, kind); return d })
  const logs = docs.map(() => [])
  let emitted = null
  docs.forEach((d, i) => d.on('update', (u, origin, doc, tr) => {
    if (tr.local) logs[i].push(u)
    if (emitted) emitted.push([hex(u), tr.local])
  }))
  const cursor = docs.map(() => docs.map(() => 0))
  const record = { case: seed, cat, clients, roots: ROOTS, steps: [] }
  write({ case: seed, cat, clients, roots: ROOTS })
  const applyU = (dst, u) => { Y.applyUpdate(docs[dst], u) }
  const doStep = (i, st) => {
    emitted = []
    let line
    if (st.net === undefined) {
      const d = docs[st.r]
      let ok = true
      d.transact(() => {
        for (const [path, op, args] of st.tx) {
          const t = resolve(d, path)
          if (!valid(t, op, args)) { ok = false; break }
          exec(t, op, args)
        }
      })
      if (!ok) {
        // cannot happen while generating; when shrinking, a step that no
        // longer fits is dropped only if nothing was executed
        if (emitted.length) throw new Error('partially valid transaction')
        line = { i, r: st.r, tx: [], emit: [], after: state(d, st.r) }
      } else line = { i, r: st.r, tx: st.tx, emit: emitted, after: state(d, st.r) }
    } else if (st.net === 'log') {
      const idx = st.idx.filter(k => k < logs[st.src].length)
      for (const k of idx) applyU(st.dst, logs[st.src][k])
      line = { i, net: 'log', src: st.src, dst: st.dst, idx, emit: emitted, after: state(docs[st.dst], st.dst) }
    } else {
      const u = Y.encodeStateAsUpdate(docs[st.src], Y.encodeStateVector(docs[st.dst]))
      applyU(st.dst, u)
      line = { i, net: 'sync', src: st.src, dst: st.dst, u: hex(u), emit: emitted, after: state(docs[st.dst], st.dst) }
    }
    emitted = null
    record.steps.push(st)
    write(line)
  }
  if (steps) {
    steps.list.forEach((st, i) => doStep(i, st))
  } else {
    for (let i = 0; i < nsteps; i++) {
      let st
      if (R.chance(0.6)) {
        const r = R.int(n)
        st = { r, tx: localStep(R, docs[r], cat) }
      } else {
        const src = R.int(n); let dst = R.int(n - 1); if (dst >= src) dst++
        if (R.chance(0.25)) st = { net: 'sync', src, dst }
        else {
          const c = cursor[src][dst]; const avail = logs[src].length - c
          const k = Math.min(avail, 1 + R.int(3))
          let idx = Array.from({ length: k }, (_, j) => c + j)
          const mode = R.int(6)
          if (mode === 1 && k > 1) idx = idx.reverse()
          if (mode === 2 && k > 0) idx = [...idx, idx[R.int(k)]]
          if (mode === 3 && k > 1) idx.splice(R.int(k - 1), 1) // dropped: only a later sync brings it
          if (mode === 4 && c > 0) idx = [R.int(c), ...idx] // old update again
          cursor[src][dst] = c + k
          st = { net: 'log', src, dst, idx }
        }
      }
      doStep(i, st)
    }
  }
  // final all-to-all sync, twice around, then the final states
  const base = record.steps.length
  let j = 0
  if (!steps || !steps.noFinal) {
    for (let pass = 0; pass < 2; pass++) {
      for (let s = 0; s < n; s++) for (let d = 0; d < n; d++) if (s !== d) doStep(base + j++, { net: 'sync', src: s, dst: d, final: true })
    }
  }
  const final = docs.map((d, r) => {
    const st = state(d, r)
    // what a fresh replica (roots typed first) makes of that full state
    const fresh = new Y.Doc(); fresh.clientID = 1
    for (const [name, kind] of ROOTS) getRoot(fresh, name, kind)
    Y.applyUpdate(fresh, Y.encodeStateAsUpdate(d))
    st.refull = hex(Y.encodeStateAsUpdate(fresh))
    st.reviews = views(fresh)
    return st
  })
  const canon = v => JSON.stringify(v, (k, x) => x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x)
  const v0 = canon(final[0].views)
  const converged = final.every(f => canon(f.views) === v0)
  write({ end: seed, converged, final })
  record.nrep = n
  return record
}

// ---- main ----------------------------------------------------------------------
const argv = process.argv.slice(2)
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def }
const outFile = opt('--out', null)
let fd = outFile ? openSync(outFile, 'w') : 1
let buf = []
let bufLen = 0
const write = obj => {
  const s = JSON.stringify(obj) + '\n'
  buf.push(s); bufLen += s.length
  if (bufLen > 1 << 20) { writeSync(fd, buf.join('')); buf = []; bufLen = 0 }
}
if (opt('--replay', null)) {
  // replay a case description written by shrink.mjs: {seed,cat,nrep,clients,list}
  const c = JSON.parse(readFileSync(opt('--replay'), 'utf8'))
  runCase(c.seed, c.cat, 0, c, write)
} else {
  const ncases = +opt('--cases', 100)
  const seed0 = +opt('--seed', 1)
  const nsteps = opt('--steps', null)
  const recFile = opt('--record', null)
  const recs = []
  for (let k = 0; k < ncases; k++) {
    const seed = seed0 + k
    const R = prng(seed)
    const cat = opt('--cat', CATS[seed % CATS.length])
    const rec = runCase(seed, cat, nsteps ? +nsteps : 5 + R.int(30), null, write)
    if (recFile) recs.push({ seed, cat, nrep: rec.nrep, clients: rec.clients, list: rec.steps.filter(s => !s.final) })
  }
  if (recFile) writeFileSync(recFile, recs.map(r => JSON.stringify(r)).join('\n') + '\n')
}
if (buf.length) writeSync(fd, buf.join(''))
if (outFile) closeSync(fd)
