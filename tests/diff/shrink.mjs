// shrink.mjs - minimal reproduction of a failing differential case.
//
// usage: node shrink.mjs YDIFF RECORDFILE SEED [WORKDIR]
//
// RECORDFILE is what `gen.mjs --record` wrote (one case a line: seed,
// category, replicas, client ids and the step list).  Drops steps (halves,
// quarters, ... single steps; delta debugging) while the case still fails,
// re-running both sides each time: gen.mjs --replay runs the reduced step
// list in yjs (steps that no longer apply become no-ops) and YDIFF checks
// libyjs against it.  Prints the seed, the minimal step list (JSON, one step
// a line) and ydiff's report for it; the case file is left in WORKDIR.
import { readFileSync, writeFileSync, mkdtempSync } from 'fs'
import { spawnSync } from 'child_process'
import { tmpdir } from 'os'
import { join, dirname } from 'path'
import { fileURLToPath } from 'url'

const [ydiff, recFile, seedArg, workArg] = process.argv.slice(2)
if (!ydiff || !recFile || !seedArg) {
  console.error('usage: node shrink.mjs YDIFF RECORDFILE SEED [WORKDIR]')
  process.exit(2)
}
const here = dirname(fileURLToPath(import.meta.url))
const work = workArg || mkdtempSync(join(tmpdir(), 'yshrink-'))
const rec = readFileSync(recFile, 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l)).find(r => r.seed === +seedArg)
if (!rec) { console.error('seed ' + seedArg + ' not in ' + recFile); process.exit(2) }

const caseFile = join(work, 'case.json')
const scen = join(work, 'scenario.jsonl')
let runs = 0
function fails (list) {
  runs++
  writeFileSync(caseFile, JSON.stringify({ ...rec, list }))
  const g = spawnSync(process.execPath, [join(here, 'gen.mjs'), '--replay', caseFile, '--out', scen], { encoding: 'utf8' })
  if (g.status !== 0) return false // yjs itself refused the reduced case
  const d = spawnSync(ydiff, ['-q', scen], { encoding: 'utf8' })
  return d.status === 1
}

let list = rec.list
if (!fails(list)) {
  console.log(`# case ${rec.seed} does not fail when replayed`)
  process.exit(0)
}
for (let chunk = Math.max(1, list.length >> 1); chunk >= 1; chunk >>= 1) {
  let i = 0
  while (i < list.length) {
    const cand = [...list.slice(0, i), ...list.slice(i + chunk)]
    if (fails(cand)) list = cand
    else i += chunk
  }
}
// Local transactions with several operations: try dropping operations too.
for (let s = 0; s < list.length; s++) {
  const st = list[s]
  if (!st.tx || st.tx.length < 2) continue
  for (let o = st.tx.length - 1; o >= 0; o--) {
    const tx = [...st.tx.slice(0, o), ...st.tx.slice(o + 1)]
    const cand = [...list.slice(0, s), { ...st, tx }, ...list.slice(s + 1)]
    if (tx.length && fails(cand)) { list = cand; st.tx = tx }
  }
}
fails(list)
writeFileSync(caseFile, JSON.stringify({ ...rec, list }))
console.log(`# minimal reproduction of case ${rec.seed} (${rec.cat}, ${rec.nrep} replicas, clients ${rec.clients.join(',')}): ${list.length} of ${rec.list.length} steps, ${runs} runs`)
console.log('# (then the final all-to-all sync)')
for (const st of list) console.log('#   ' + JSON.stringify(st))
const d = spawnSync(ydiff, ['--max-report', '2', scen], { encoding: 'utf8' })
for (const l of d.stdout.split('\n')) if (l.startsWith('#')) console.log(l)
console.log(`# replay: node ${join(here, 'gen.mjs')} --replay ${caseFile} --out ${scen} && ${ydiff} ${scen}`)
