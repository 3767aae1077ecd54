// mesh-bench.mjs - node's side of the MeshDocument benchmark: the same
// 10k-element presentation as mesh-bench.c, held as plain JS objects,
// serialised with JSON.stringify(tree, null, 2) (what a JS implementation
// of the document file would do at best).  Prints "name value" lines.
const SLIDES = 1000, LINES = 9;
const slides = [];
for (let i = 0; i < SLIDES; i++) {
  const lines = [];
  for (let j = 0; j < LINES; j++)
    lines.push({ line: { line: `Line ${j} of slide ${i}: some words to render` } });
  slides.push({ slide: { title: `Slide number ${i}`, background: i % 2 ? "#ffffff" : "#202020", lines } });
}
const doc = { presentation: { slides } };
// median of 21 runs, as the C side
const times = [];
let out = "";
for (let r = 0; r < 21; r++) {
  const t0 = process.hrtime.bigint();
  out = JSON.stringify(doc, null, 2) + "\n";
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
console.log(`stringify_ms ${times[10].toFixed(3)}`);
console.log(`stringify_bytes ${Buffer.byteLength(out)}`);
