// fs-bench.mjs - the SDK side of the meshfs benchmark (run-fs.sh), with
// the real @meshagent/meshagent 0.39.9 client from tests/node.
//
//   node fs-bench.mjs populate URL TOKEN DIR
//       fills the room: ls10k/f00000.txt .. f09999.txt (100 bytes each),
//       grep1k/d0000.document .. d0999.document (2 KB documents; every
//       100th has the word "needle"), hot.document and vis.document; and
//       writes the same files to DIR, documents as meshfs renders them
//       (2-space indent, newline at the end), byte for byte.
//   node fs-bench.mjs visibility URL TOKEN MOUNT N
//       N times: an SDK edit of vis.document, then cat-style reads of
//       MOUNT/vis.document until the edit shows; prints vis_p50_ms and
//       vis_p99_ms.
import { createRequire } from "module";
import fs from "fs";
import path from "path";
import { fileURLToPath } from "url";

const here = path.dirname(fileURLToPath(import.meta.url));
const top = process.env.abs_top_srcdir || path.resolve(here, "../../..");
const require = createRequire(path.join(top, "tests/node/package.json"));
const M = require("@meshagent/meshagent");
for (const k of ["log", "info", "warn", "debug"]) console[k] = () => {};
process.on("unhandledRejection", () => {});
const out = (s) => process.stdout.write(s + "\n");

function doc(tag, n = 20) {
  const content = [];
  for (let k = 0; k < n; k++)
    content.push({ body: { text: `${tag} body ${String(k).padStart(2, "0")} lorem ipsum dolor sit amet consectetur` } });
  return { document: { content } };
}

async function pool(n, width, fn) {
  let next = 0;
  const run = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: width }, run));
}

async function connect(url, token) {
  const room = new M.RoomClient({
    protocolFactory: M.WebSocketClientProtocol.createFactory({ url, token }),
  });
  await room.start();
  return room;
}

const pct = (v, p) => v[Math.min(v.length - 1, Math.floor((v.length * p) / 100))];

const [mode, url, token, ...rest] = process.argv.slice(2);
const room = await connect(url, token);
if (mode === "populate") {
  const [dir] = rest;
  const enc = new TextEncoder();
  const line = "x".repeat(99) + "\n";
  const local = (p, text) => {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), text);
  };
  const create = (p, j) => {
    local(p, JSON.stringify(j, null, 2) + "\n");
    return room.sync.create(p, j);
  };
  await pool(10000, 64, (i) => {
    const p = `ls10k/f${String(i).padStart(5, "0")}.txt`;
    local(p, line);
    return room.storage.upload(p, enc.encode(line));
  });
  await pool(1000, 32, (i) =>
    create(`grep1k/d${String(i).padStart(4, "0")}.document`, doc(i % 100 === 0 ? `needle ${i}` : `doc ${i}`)),
  );
  await create("hot.document", doc("hot"));
  await create("vis.document", doc("vis", 5));
  out("populated");
} else if (mode === "visibility") {
  const [mnt, n] = rest;
  const file = path.join(mnt, "vis.document");
  const d = await room.sync.open("vis.document", { create: false });
  const el = d.root.getChildren()[0];
  const lat = [];
  for (let i = 0; i < Number(n); i++) {
    const want = `vis-${i}-${Math.random().toString(36).slice(2)}`;
    const t0 = performance.now();
    el.setAttribute("text", want);
    for (;;) {
      const s = await fs.promises.readFile(file, "utf8");
      if (s.includes(want)) break;
      if (performance.now() - t0 > 10000) throw new Error(`edit ${i} never showed`);
    }
    lat.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 20));
  }
  lat.sort((a, b) => a - b);
  out(`vis_p50_ms ${pct(lat, 50).toFixed(2)}`);
  out(`vis_p99_ms ${pct(lat, 99).toFixed(2)}`);
} else {
  process.stderr.write("usage: fs-bench.mjs populate|visibility URL TOKEN ...\n");
  process.exit(2);
}
process.exit(0);
