// bench.mjs - the client side of run-server.sh: one workload shape, driven
// against meshroomd, Hocuspocus or the y-websocket server, each through its
// own protocol and its own real client library.
//
//   node bench.mjs SERVER CLIENT MODE --port P [--pid PID] [--secret S]
//     SERVER  meshroomd | hocuspocus | ywebsocket
//     CLIENT  sdk      @meshagent/meshagent 0.39.9 RoomClient + MeshDocument
//             raw      a lean client speaking the MeshAgent protocol
//                      itself (packets, sync.open stream) over a Y.Doc:
//                      no echo, chunks pipelined (meshroomd only)
//             provider @hocuspocus/provider or y-websocket's provider
//     MODE    burst   --clients C --edits E: every client makes its E edits
//                     as fast as it can; time until every client has every
//                     edit
//             paced   --clients C --edits E --rate R: the C*E edits spread
//                     evenly at R edits/s in total; delivery latency (edit
//                     made -> seen by each other client), p50 and p99
//             memory  --docs N: RSS of the server (--pid) after N clients
//                     opened one small document each (an html body with 10
//                     p elements) and left it idle for 8 s, minus the RSS
//                     with one such client, / N
//
// An edit appends a <p class="e<id>"> element (with a $id, as MeshDocument
// does) to the <body> of an html document: the same Yjs operation for every
// client.  All clients live in this one process, so every figure includes
// their CPU: the same load for each server, but check the `client_cpu_ms`
// line when a figure looks client-bound.  Output: "key value" lines.
import { createRequire } from "module";
import crypto from "crypto";
import fs from "fs";
import path from "path";
import { fileURLToPath } from "url";
import { packets, pack } from "../../server/wire.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, "../../..");
const requireBench = createRequire(path.join(here, "package.json"));
const requireNode = createRequire(path.join(top, "tests/node/package.json"));
const Y = requireBench("yjs");
const WebSocket = requireBench("ws");

// ---- arguments ----------------------------------------------------------
const [serverKind, clientKind, mode] = process.argv.slice(2, 5);
const opt = {
  port: 0,
  pid: 0,
  secret: "",
  clients: 50,
  edits: 100,
  rate: 500,
  docs: 300,
  room: "bench",
  schema: "",
  nodoc: 0, // memory with raw clients that only connect (diagnostics)
};
for (let i = 5; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, "");
  if (!(k in opt)) throw new Error(`unknown option ${process.argv[i]}`);
  opt[k] = typeof opt[k] === "number" ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
const out = (k, v) => process.stdout.write(`${k} ${v}\n`);
// remote updates applied by all clients together (Y-based clients)
let updatesIn = 0;
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function within(ms, p, what) {
  let t;
  return Promise.race([
    p,
    new Promise((_, rej) => {
      t = setTimeout(() => rej(new Error(`timeout (${ms} ms): ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

// The SDK chatters on the console: keep stdout for figures.
const print = console.error;
console.log = console.info = console.warn = console.debug = () => {};

// ---- the document -------------------------------------------------------
const uuid = () => crypto.randomUUID();
const INITIAL = (n) => ({
  html: {
    children: [
      { body: { children: Array.from({ length: n }, (_, i) => ({ p: { class: `init${i}` } })) } },
    ],
  },
});

// Builds INITIAL(n) with plain Yjs, as MeshDocument lays it out: the root
// "xml" element holds body, body holds the p elements, each with a $id.
function yBuild(ydoc, n) {
  ydoc.transact(() => {
    const root = ydoc.get("xml", Y.XmlElement);
    const body = new Y.XmlElement("body");
    body.setAttribute("$id", uuid());
    for (let i = 0; i < n; i++) {
      const p = new Y.XmlElement("p");
      p.setAttribute("$id", uuid());
      p.setAttribute("class", `init${i}`);
      body.insert(i, [p]);
    }
    root.insert(0, [body]);
  });
}

// Edits and sightings on a Y.Doc whose root holds a body (every client
// but the SDK's).  New elements are found from the transaction's state
// vectors, O(new items) (YEvent.changes walks the whole list each time).
function yEditor(ydoc, onSeen) {
  const root = ydoc.get("xml", Y.XmlElement);
  let body = null;
  const attach = () => {
    if (body || !root.length) return;
    body = root.get(0);
    ydoc.on("afterTransaction", (tr) => {
      if (tr.local) return;
      updatesIn++;
      for (const [client, after] of tr.afterState) {
        const before = tr.beforeState.get(client) || 0;
        if (after <= before) continue;
        const structs = ydoc.store.clients.get(client);
        for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
          const it = structs[i];
          if (it.id.clock >= after) break;
          if (it instanceof Y.Item && it.parent === body && it.content instanceof Y.ContentType)
            onSeen(it.content.type.getAttribute("class"));
        }
      }
    });
  };
  root.observe(attach);
  attach();
  return {
    ready: () => !!body,
    edit(cls) {
      const p = new Y.XmlElement("p");
      p.setAttribute("$id", uuid());
      p.setAttribute("class", cls);
      body.insert(body.length, [p]);
    },
  };
}

// ---- meshroomd: tokens ----------------------------------------------------
let M = null;
async function token(name) {
  M ??= requireNode("@meshagent/meshagent");
  const t = new M.ParticipantToken({ name });
  t.addRoomGrant(opt.room);
  t.addRoleGrant("user");
  t.addApiGrant(M.ApiScope.agentDefault());
  return await t.toJwt({ token: opt.secret });
}
const roomUrl = () => `ws://127.0.0.1:${opt.port}/rooms/${opt.room}`;

// ---- meshroomd: the SDK client -------------------------------------------
async function sdkClient(docPath, initial, onSeen) {
  M ??= requireNode("@meshagent/meshagent");
  const client = new M.RoomClient({
    protocolFactory: M.WebSocketClientProtocol.createFactory({
      url: roomUrl(),
      token: await token("sdk"),
    }),
  });
  await within(20000, client.start(), "room.start");
  const doc = await within(20000, client.sync.open(docPath, { initialJson: initial }), "sync.open");
  doc.listen((msg) => {
    for (const d of msg.elements || [])
      for (const ins of d.insert || []) {
        const cls = ins.element?.attributes?.class;
        if (cls) onSeen(cls);
      }
  });
  const body = doc.root.getChildren()[0];
  return {
    ready: () => true,
    edit: (cls) => body.createChildElement("p", { class: cls }),
    close: () => client.dispose(),
  };
}

// ---- meshroomd: the raw client -------------------------------------------
class RawConn {
  constructor(url) {
    this.ws = new WebSocket(url);
    this.nextId = 0;
    this.cur = null;
    this.onMessage = () => {};
    this.opened = new Promise((res, rej) => {
      this.ws.on("open", res);
      this.ws.on("error", rej);
    });
    this.ws.on("message", (buf) => this.packet(buf));
  }
  packet(p) {
    const index = p.readUInt32BE(8);
    if (index === 0) {
      const count = p.readUInt32BE(12);
      this.cur = { type: p.toString("latin1", 16), count, parts: [] };
    } else if (this.cur) {
      this.cur.parts.push(p.subarray(12));
    }
    if (this.cur && this.cur.parts.length === this.cur.count) {
      const m = this.cur;
      this.cur = null;
      this.onMessage(m.type, m.parts.length === 1 ? m.parts[0] : Buffer.concat(m.parts));
    }
  }
  send(type, data) {
    for (const p of packets(this.nextId++, type, data)) this.ws.send(p);
  }
}

async function rawClient(docPath, initial, onSeen) {
  const conn = new RawConn(`${roomUrl()}?token=${await token("raw")}`);
  await within(20000, conn.opened, "connect");
  if (opt.nodoc) {
    // 2: one small request, so that the connection has received a message
    if (opt.nodoc === 2) {
      const answered = new Promise((res) => (conn.onMessage = res));
      conn.send("room.invoke_tool", pack({ toolkit: "storage", tool: "exists", arguments: { type: "json", json: { path: "x" } } }));
      await within(20000, answered, "storage.exists");
    }
    return { close: () => conn.ws.close() };
  }
  const ydoc = new Y.Doc();
  const callId = `${Date.now()}-${crypto.randomBytes(6).toString("hex")}`;
  let gotState;
  const state = new Promise((res, rej) => {
    gotState = { res, rej };
  });
  conn.onMessage = (type, data) => {
    if (type !== "room.tool_call_response_chunk") {
      if (type === "__response__") {
        const len = Number(data.readBigUInt64BE(0));
        const h = JSON.parse(data.toString("utf8", 8, 8 + len));
        if (h.type === "error") gotState.rej(new Error(h.text));
      }
      return;
    }
    const len = Number(data.readBigUInt64BE(0));
    const h = JSON.parse(data.toString("utf8", 8, 8 + len));
    const c = h.chunk || {};
    if (c.type === "error") return gotState.rej(new Error(c.text));
    if (c.type !== "binary") return;
    const tail = data.subarray(8 + len);
    if (tail.length) Y.applyUpdate(ydoc, Buffer.from(tail.toString("latin1"), "base64"), "remote");
    if (c.headers?.kind === "state") gotState.res();
  };
  const chunk = (headers, tail) =>
    conn.send(
      "room.tool_call_request_chunk",
      pack({ tool_call_id: callId, chunk: { type: "binary", headers } }, tail),
    );
  conn.send(
    "room.invoke_tool",
    pack({ toolkit: "sync", tool: "open", tool_call_id: callId, arguments: { type: "control", method: "open" } }),
  );
  chunk({ kind: "start", path: docPath, create: true, vector: null, schema: null, schema_path: null, initial_json: initial });
  await within(20000, state, "sync.open state");
  ydoc.on("update", (u, origin) => {
    if (origin !== "remote") chunk({ kind: "sync" }, Buffer.from(Buffer.from(u).toString("base64"), "latin1"));
  });
  const ed = yEditor(ydoc, onSeen);
  return { ...ed, close: () => conn.ws.close() };
}

// ---- Hocuspocus and y-websocket -------------------------------------------
async function providerClient(docName, initialN, onSeen, isFirst) {
  const ydoc = new Y.Doc();
  let provider;
  const synced = new Promise((res) => {
    if (serverKind === "hocuspocus") {
      const { HocuspocusProvider } = requireBench("@hocuspocus/provider");
      provider = new HocuspocusProvider({
        url: `ws://127.0.0.1:${opt.port}`,
        name: docName,
        document: ydoc,
        WebSocketPolyfill: WebSocket,
        onSynced: () => res(),
      });
    } else {
      const { WebsocketProvider } = requireBench("y-websocket");
      provider = new WebsocketProvider(`ws://127.0.0.1:${opt.port}`, docName, ydoc, {
        WebSocketPolyfill: WebSocket,
        disableBc: true,
      });
      const on = (s) => {
        if (s) {
          provider.off("sync", on);
          res();
        }
      };
      provider.on("sync", on);
    }
  });
  await within(20000, synced, `${serverKind} sync`);
  if (isFirst && !ydoc.get("xml", Y.XmlElement).length) yBuild(ydoc, initialN);
  const ed = yEditor(ydoc, onSeen);
  await within(20000, (async () => { while (!ed.ready()) await sleep(5); })(), "the document's body");
  return { ...ed, close: () => provider.destroy() };
}

async function makeClient(docPath, initialN, onSeen, isFirst) {
  if (serverKind === "meshroomd") {
    const init = isFirst ? INITIAL(initialN) : null;
    if (clientKind === "sdk") return await sdkClient(docPath, init, onSeen);
    return await rawClient(docPath, init, onSeen);
  }
  return await providerClient(docPath, initialN, onSeen, isFirst);
}

// ---- RSS ------------------------------------------------------------------
function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m[1]);
}
async function settledRss() {
  if (serverKind !== "meshroomd") {
    process.kill(opt.pid, "SIGUSR2"); // full GC in the node servers
    await sleep(500);
  }
  return rssKiB(opt.pid);
}

// ---- modes ------------------------------------------------------------------
function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function editing(paced) {
  const C = opt.clients;
  const E = opt.edits;
  const N = C * E;
  const docPath = `${mode}-${Date.now()}.html`;
  const seen = new Uint8Array(C * N);
  const count = new Int32Array(C);
  const doneAt = new Float64Array(C);
  const sentAt = new Float64Array(N);
  const lat = paced ? new Float64Array(N * (C - 1)) : null;
  let nlat = 0;
  let ndone = 0;
  let allDone;
  const finished = new Promise((r) => (allDone = r));
  const want = N - E;
  const onSeenOf = (r) => (cls) => {
    if (!cls || cls[0] !== "e") return;
    const id = Number(cls.slice(1));
    if (Math.floor(id / E) === r || seen[r * N + id]) return;
    seen[r * N + id] = 1;
    const t = now();
    if (paced) lat[nlat++] = t - sentAt[id];
    if (++count[r] === want) {
      doneAt[r] = t;
      if (++ndone === C) allDone();
    }
  };
  const clients = [];
  clients.push(await makeClient(docPath, 0, onSeenOf(0), true));
  for (let i = 1; i < C; i += 10) {
    const batch = [];
    for (let k = i; k < Math.min(C, i + 10); k++) batch.push(makeClient(docPath, 0, onSeenOf(k), false));
    clients.push(...(await Promise.all(batch)));
  }
  await sleep(500);
  const cpu0 = process.cpuUsage();
  const t0 = now();
  // edit id = client * E + seq; "made" is the moment the edit call starts
  const make = (j) => {
    const c = j % C;
    const s = Math.floor(j / C);
    const id = c * E + s;
    sentAt[id] = now();
    clients[c].edit(`e${id}`);
  };
  if (!paced) {
    for (let j = 0; j < N; j++) make(j);
  } else {
    const step = 1000 / opt.rate;
    let j = 0;
    await new Promise((res) => {
      const tick = () => {
        const due = Math.min(N, Math.floor((now() - t0) / step) + 1);
        while (j < due) make(j++);
        if (j < N) setTimeout(tick, 1);
        else res();
      };
      tick();
    });
    out("paced_rate", (N / ((now() - t0) / 1000)).toFixed(0));
  }
  try {
    await within(180000, finished, "every client to see every edit");
  } catch (e) {
    let least = Infinity;
    for (let r = 0; r < C; r++) least = Math.min(least, count[r]);
    print(`${serverKind}/${clientKind}/${mode}: ${e.message}; least seen ${least}/${want}`);
    process.exit(1);
  }
  const cpu = process.cpuUsage(cpu0);
  const wall = Math.max(...doneAt) - t0;
  out("clients", C);
  out("edits", N);
  out("client_cpu_ms", ((cpu.user + cpu.system) / 1000).toFixed(0));
  if (clientKind !== "sdk") out("updates_in", updatesIn);
  if (!paced) {
    out("burst_ms", wall.toFixed(1));
  } else {
    const l = lat.subarray(0, nlat).sort();
    out("p50_ms", quantile(l, 0.5).toFixed(2));
    out("p99_ms", quantile(l, 0.99).toFixed(2));
    out("max_ms", l[l.length - 1].toFixed(2));
  }
  for (const c of clients) c.close();
}

async function memory() {
  const warm = await makeClient("warm.html", 10, () => {}, true);
  await sleep(2500);
  const base = await settledRss();
  const clients = [];
  for (let i = 0; i < opt.docs; i += 20) {
    const batch = [];
    for (let k = i; k < Math.min(opt.docs, i + 20); k++)
      batch.push(makeClient(`m/doc${k}.html`, 10, () => {}, true));
    clients.push(...(await Promise.all(batch)));
  }
  // idle means idle for a while: meshroomd frees a document's shadow
  // replica 2 s after its last use and its live replica after 3 s
  await sleep(8000);
  const rss = await settledRss();
  out("docs", opt.docs);
  out("base_rss_kib", base);
  out("rss_kib", rss);
  out("per_doc_kib", ((rss - base) / opt.docs).toFixed(1));
  for (const c of [warm, ...clients]) c.close();
}

try {
  if (mode === "burst") await editing(false);
  else if (mode === "paced") await editing(true);
  else if (mode === "memory") await memory();
  else throw new Error(`unknown mode ${mode}`);
  process.exit(0);
} catch (e) {
  print(`${serverKind}/${clientKind}/${mode}: ${e?.stack ?? e}`);
  process.exit(1);
}
