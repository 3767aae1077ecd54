// peer.mjs - an SDK participant for the meshfs tests and benchmark: a real
// @meshagent/meshagent 0.39.9 RoomClient that stays connected to a room
// (and to the documents it opened) while the tests work on the mount, and
// that reports or makes changes on command.
//
//   node peer.mjs token SECRET ROOM [NAME] [ro]
//       prints a participant JWT for ROOM (minted by the SDK's own
//       ParticipantToken); `ro` makes storage and sync read-only.
//   node peer.mjs serve URL TOKEN
//       connects to the room URL (ws://host:port/rooms/<room>), then serves
//       commands on http://127.0.0.1:<port>/ and prints "<port>" once ready.
//       A command is a POST of one JSON object {"op": ..., ...}; the answer
//       is one JSON object {"ok": true, ...} or {"ok": false, "error": ...}.
//
// Commands (paths are room paths; `at` is a list of child indexes from the
// root, [] being the root itself):
//   open {path}            sync.open (create: false), kept open
//   close {path}
//   json {path, ids}       the SDK replica as document JSON, keys sorted;
//                          with ids: true, every element's $id included
//   wait {path, json, ms}  waits until the replica (without ids, keys
//                          sorted) equals json; answers with the last JSON
//   set {path, at, attr, value} / unset {path, at, attr}
//   append {path, at, tag, attrs}  remove {path, at}
//   state {path}           whether the document's stream is still live,
//                          how many remote updates it applied, its events
//   events                 the storage events seen (updated, deleted, moved)
//   describe {path}        sync.describe on the server (its JSON)
//   create {path, json}    sync.create
//   upload {path, text} download {path} delete {path} move {from, to}
//   list {path} exists {path}
//   quit
import { createRequire } from "module";
import http from "http";
import path from "path";
import { fileURLToPath } from "url";

const here = path.dirname(fileURLToPath(import.meta.url));
const top = process.env.abs_top_srcdir || path.resolve(here, "../..");
const require = createRequire(path.join(top, "tests/node/package.json"));
const M = require("@meshagent/meshagent");

// The SDK chats on the console; stdout carries our answers only.
const out = (s) => process.stdout.write(s + "\n");
console.log = () => {};
console.info = () => {};
console.warn = () => {};
console.debug = () => {};
// A failed sync.open leaves a rejection nobody awaits inside the SDK.
process.on("unhandledRejection", () => {});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function within(ms, promise, what) {
  let t;
  const timeout = new Promise((_, rej) => {
    t = setTimeout(() => rej(new Error(`timeout (${ms} ms): ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(t));
}

async function token(secret, room, name, ro) {
  const t = new M.ParticipantToken({ name: name || "peer" });
  t.addRoomGrant(room);
  t.addRoleGrant("user");
  const scope = M.ApiScope.agentDefault();
  if (ro) {
    // storage path grants are prefixes, sync ones exact or ending in *
    scope.storage = new M.StorageGrant({
      paths: [new M.StoragePathGrant({ path: "", readOnly: true })],
    });
    scope.sync = new M.SyncGrant({
      paths: [new M.SyncPathGrant({ path: "*", readOnly: true })],
    });
  }
  t.addApiGrant(scope);
  return await t.toJwt({ token: secret });
}

// Sorted-key JSON of an SDK element (document JSON, spec/document.md §3).
function render(el, ids) {
  if (!(el instanceof M.Element)) {
    // a text node: the output-only delta form
    return { text: { delta: (el.delta || []).map((d) => ({ ...d })) } };
  }
  const body = {};
  for (const [k, v] of Object.entries(el.attributes || {})) {
    if (k === "$id" && !ids) continue;
    body[k] = v;
  }
  const cp = el.elementType?.childPropertyName;
  if (cp !== undefined) body[cp] = el.getChildren().map((c) => render(c, ids));
  return { [el.tagName]: body };
}

function canon(v) {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = canon(v[k]);
    return o;
  }
  return v;
}

async function serve(url, jwt) {
  const client = new M.RoomClient({
    protocolFactory: M.WebSocketClientProtocol.createFactory({
      url,
      token: jwt,
    }),
  });
  await within(20000, client.start(), "room.start");

  const docs = new Map(); // path -> { doc, updates, closed }
  const events = [];
  client.on("file updated", (ev) => events.push({ kind: "updated", path: ev.path }));
  client.on("file deleted", (ev) => events.push({ kind: "deleted", path: ev.path }));
  client.on("file moved", (ev) =>
    events.push({ kind: "moved", path: ev.path, to: ev.newPath ?? ev.new_path }),
  );
  client.sync.on("closed", (ev) => {
    for (const d of docs.values()) if (d.doc === ev.doc) d.closed++;
  });

  const docOf = (p) => {
    const d = docs.get(p);
    if (!d) throw new Error(`${p} is not open`);
    return d;
  };
  const elAt = (doc, at = []) => {
    let el = doc.root;
    for (const i of at) {
      const c = el.getChildren()[i];
      if (!c) throw new Error(`no child ${i} in ${el.tagName}`);
      el = c;
    }
    return el;
  };
  const json = (p, ids) => canon(render(docOf(p).doc.root, ids));

  const ops = {
    async open({ path: p }) {
      if (!docs.has(p)) {
        const doc = await within(20000, client.sync.open(p, { create: false }), `open ${p}`);
        const d = { doc, updates: 0, closed: 0 };
        doc.listen?.(() => d.updates++);
        docs.set(p, d);
      }
      return { json: json(p, false) };
    },
    async close({ path: p }) {
      docOf(p);
      docs.delete(p);
      await within(20000, client.sync.close(p), `close ${p}`);
      return {};
    },
    async json({ path: p, ids }) {
      return { json: json(p, !!ids) };
    },
    async wait({ path: p, json: want, ms = 10000 }) {
      const w = JSON.stringify(canon(want));
      const end = Date.now() + ms;
      for (;;) {
        const got = json(p, false);
        if (JSON.stringify(got) === w) return { json: got, equal: true };
        if (Date.now() > end) return { json: got, equal: false };
        await sleep(10);
      }
    },
    async set({ path: p, at, attr, value }) {
      elAt(docOf(p).doc, at).setAttribute(attr, value);
      return {};
    },
    async unset({ path: p, at, attr }) {
      elAt(docOf(p).doc, at).removeAttribute(attr);
      return {};
    },
    async append({ path: p, at, tag, attrs = {} }) {
      const el = elAt(docOf(p).doc, at).createChildElement(tag, attrs);
      return { id: el.id };
    },
    async remove({ path: p, at }) {
      elAt(docOf(p).doc, at).delete();
      return {};
    },
    async state({ path: p }) {
      const d = docOf(p);
      const live = client.sync._documentStreams?.[p] != null;
      return { live, updates: d.updates, closed: d.closed };
    },
    async events() {
      return { events };
    },
    async describe({ path: p }) {
      const r = await within(
        20000,
        client.invoke({
          toolkit: "sync",
          tool: "describe",
          input: { path: p, schema_path: null },
        }),
        `describe ${p}`,
      );
      return { json: canon(r.json) };
    },
    async create({ path: p, json: j }) {
      await within(20000, client.sync.create(p, j), `create ${p}`);
      return {};
    },
    async upload({ path: p, text }) {
      await within(20000, client.storage.upload(p, new TextEncoder().encode(text), { overwrite: true }), `upload ${p}`);
      return {};
    },
    async download({ path: p }) {
      const f = await within(20000, client.storage.download(p), `download ${p}`);
      return { text: new TextDecoder().decode(f.data) };
    },
    async delete({ path: p }) {
      await within(20000, client.storage.delete(p), `delete ${p}`);
      return {};
    },
    async move({ from, to }) {
      await within(20000, client.storage.move(from, to), `move ${from}`);
      return {};
    },
    async list({ path: p }) {
      const l = await within(20000, client.storage.list(p), `list ${p}`);
      return { entries: l.map((e) => (e.isFolder ? e.name + "/" : e.name)).sort() };
    },
    async exists({ path: p }) {
      return { exists: await within(20000, client.storage.exists(p), `exists ${p}`) };
    },
    async quit() {
      setTimeout(() => {
        try {
          client.dispose?.();
        } catch {}
        process.exit(0);
      }, 10);
      return {};
    },
  };

  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", async () => {
      let answer;
      try {
        const cmd = JSON.parse(body || "{}");
        const fn = ops[cmd.op];
        if (!fn) throw new Error(`unknown op ${cmd.op}`);
        answer = { ok: true, ...(await fn(cmd)) };
      } catch (e) {
        answer = { ok: false, error: `${e.message}${e.code ? ` (code ${e.code})` : ""}` };
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer) + "\n");
    });
  });
  server.listen(0, "127.0.0.1", () => out(String(server.address().port)));
}

const [mode, ...args] = process.argv.slice(2);
if (mode === "token") {
  const [secret, room, name, ro] = args;
  out(await token(secret, room, name, ro === "ro"));
  process.exit(0);
} else if (mode === "serve") {
  try {
    await serve(args[0], args[1]);
  } catch (e) {
    process.stderr.write(`peer: ${e.message}\n`);
    process.exit(1);
  }
} else {
  process.stderr.write("usage: peer.mjs token SECRET ROOM [NAME] [ro] | serve URL TOKEN\n");
  process.exit(2);
}
