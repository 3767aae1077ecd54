// sync.mjs - the sync toolkit of meshroomd against the real TypeScript SDK
// (@meshagent/meshagent 0.39.9): create with json, open + MeshDocument
// edits + close, two clients converging, describe, schema enforcement (a
// refused update leaves the document and the other clients alone),
// read-only grants, resync with a state vector after a server restart, and
// kill -9 while a client streams updates (every acknowledged update
// survives).  Prints TAP.
import fs from "fs";
import path from "path";
import {
  M,
  connect,
  diag,
  done,
  failure,
  is,
  nextEvent,
  ok,
  require,
  same,
  startServer,
  top,
  within,
} from "./lib.mjs";

const Y = require("yjs");
const enc = new TextEncoder();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ROOM = "syncroom";
// A failed sync.open leaves a rejected promise nobody awaits inside the
// SDK (its "connecting" completer): not our failure.
process.on("unhandledRejection", () => {});

async function token(server, { name = "tester", syncPaths } = {}) {
  const t = new M.ParticipantToken({ name });
  t.addRoomGrant(ROOM);
  t.addRoleGrant("user");
  const scope = M.ApiScope.agentDefault();
  if (syncPaths)
    scope.sync = new M.SyncGrant({
      paths: syncPaths.map((p) => new M.SyncPathGrant(p)),
    });
  t.addApiGrant(scope);
  return await t.toJwt({ token: server.secret });
}

async function client(server, opts) {
  return await connect(server, ROOM, await token(server, opts));
}

async function describe(room, p) {
  const r = await within(
    10000,
    room.invoke({
      toolkit: "sync",
      tool: "describe",
      input: { path: p, schema_path: null },
    }),
    `describe ${p}`,
  );
  return r.json;
}

// The classes of every p element of an html document JSON, in order.
function classes(json) {
  const out = [];
  for (const body of json.html.children)
    for (const p of body.body.children) out.push(p.p.class);
  return out;
}

// The same from a live SDK MeshDocument.
function docClasses(doc) {
  const out = [];
  for (const body of doc.root.getChildren())
    for (const p of body.getChildren()) out.push(p.getAttribute("class"));
  return out;
}

async function until(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    let v;
    try {
      v = await fn();
    } catch (e) {
      v = false;
    }
    if (v) return true;
    if (Date.now() > end) {
      diag(`gave up waiting for ${what}`);
      return false;
    }
    await sleep(25);
  }
}

const errOf = (e) => (e ? `${e.message} (code ${e.code})` : "no error");

async function main() {
  let server = await startServer();
  const a = await client(server, { name: "alice" });
  const b = await client(server, { name: "bob" });

  // schemas deployed as the SDK deploys them
  for (const name of ["html", "thread"]) {
    const text = fs.readFileSync(path.join(top, "schemas", `${name}.json`));
    await within(10000, a.storage.upload(`.schemas/${name}.json`, text), `upload ${name}`);
  }

  // ---- create ---------------------------------------------------------
  const J1 = { html: { children: [{ body: { children: [{ p: { class: "x" } }] } }] } };
  const created = nextEvent(b, "file updated", (ev) => ev.path === "c1.html").catch(
    (e) => e,
  );
  let e = await failure(a.sync.create("c1.html", J1), 10000, "sync.create");
  ok(!e, "sync.create with json", errOf(e));
  const ev = await created;
  ok(!(ev instanceof Error), "storage.file.updated for the new document", String(ev));
  is(await a.storage.exists("c1.html"), true, "the document is a file in storage");
  same(await describe(b, "c1.html"), J1, "describe gives the JSON");
  e = await failure(a.sync.create("c1.html", J1));
  is(e?.code, 1004, "create of an existing document: 1004");
  e = await failure(a.sync.create("c2.nothing", null));
  is(e?.code, 1007, "create without a schema: 1007");
  ok(/no schema found for c2.nothing/.test(e?.message ?? ""), "... 'no schema found for <path>'", errOf(e));
  e = await failure(describe(a, "missing.html"));
  is(e?.code, 1003, "describe of a missing document: 1003");

  // ---- open, edit, close ---------------------------------------------
  const doc = await within(10000, a.sync.open("c1.html"), "sync.open c1.html");
  same(docClasses(doc), ["x"], "open: the SDK document has the server state");
  doc.root.getChildren()[0].createChildElement("p", { class: "y" });
  ok(
    await until("the edit on the server", async () =>
      classes(await describe(b, "c1.html")).join() === "x,y",
    ),
    "an SDK edit reaches the server",
  );
  e = await failure(within(10000, a.sync.close("c1.html"), "sync.close"));
  ok(!e, "sync.close returns", errOf(e));
  const opened = await failure(
    within(10000, a.sync.open("nope.html", { create: false }), "open create:false"),
  );
  is(opened?.code, 1003, "open create:false of a missing document: 1003");

  // ---- open with initial_json, two clients converge -------------------
  const J2 = { html: { children: [{ body: { children: [] } }] } };
  const da = await a.sync.open("conc.html", { initialJson: J2 });
  const db = await b.sync.open("conc.html");
  const ba = da.root.getChildren()[0];
  const bb = db.root.getChildren()[0];
  for (let i = 0; i < 20; i++) {
    ba.createChildElement("p", { class: `a${i}` });
    bb.createChildElement("p", { class: `b${i}` });
    if (i % 5 === 0) await sleep(5);
  }
  const conv = await until("convergence", async () => {
    const ca = docClasses(da);
    const cb = docClasses(db);
    const cs = classes(await describe(a, "conc.html"));
    return ca.length === 40 && ca.join() === cb.join() && cs.join() === ca.join();
  });
  ok(conv, "two SDK clients editing concurrently converge (server too)",
     `a=${docClasses(da).join()}\nb=${docClasses(db).join()}`);

  // ---- schema enforcement --------------------------------------------
  const c = await client(server, { name: "carol" });
  const dc = await c.sync.open("conc.html");
  const before = await describe(c, "conc.html");
  // TS does not check setAttribute: the server must.
  ba.getChildren()[0].setAttribute("foo", "bar");
  await sleep(300);
  same(await describe(c, "conc.html"), before, "unknown attribute: document unchanged");
  ok(docClasses(dc).length === 40 && dc.root.getChildren()[0].getChildren()[0].getAttribute("foo") === undefined,
     "... other clients unaffected");
  e = await failure(a.sync.sync("conc.html", enc.encode("AAA=")));
  ok(e && /update refused: \/html\/children\/0\/body\/children\/0\/p\/foo/.test(e.message),
     "... the sender's stream failed with the JSON pointer", errOf(e));
  // the others keep editing
  bb.createChildElement("p", { class: "after" });
  ok(await until("carol sees bob", async () => docClasses(dc).includes("after")),
     "... and the other clients keep syncing");

  // a raw crafted update: an element the schema does not know
  {
    const y = new Y.Doc();
    Y.applyUpdate(y, Y.encodeStateAsUpdate(new Y.Doc()));
    const st = await describe(c, "conc.html");
    const el = new Y.XmlElement("div");
    el.setAttribute("$id", "00000000-0000-4000-8000-000000000009");
    y.get("xml", Y.XmlElement).insert(0, [el]);
    const upd = Buffer.from(Y.encodeStateAsUpdate(y)).toString("base64");
    await c.sync.sync("conc.html", enc.encode(upd));
    await sleep(300);
    same(await describe(b, "conc.html"), st, "crafted update with an unknown tag: document unchanged");
    e = await failure(c.sync.sync("conc.html", enc.encode("AAA=")));
    ok(e && /update refused: \/html\/children\/\d+\/div: unknown element/.test(e.message),
       "... refused with the JSON pointer", errOf(e));
  }
  await failure(a.sync.close("conc.html"));
  await failure(c.sync.close("conc.html"));
  c.dispose?.();

  // ---- read-only grants -----------------------------------------------
  const ro = await client(server, {
    name: "reader",
    syncPaths: [{ path: "conc.html", readOnly: true }, { path: "ro-*", readOnly: true }],
  });
  e = await failure(ro.sync.create("ro-x.html", J2));
  is(e?.code, 1001, "read-only grant: create refused (1001)");
  const dro = await within(10000, ro.sync.open("conc.html"), "read-only open");
  ok(dro && docClasses(dro).length === 41, "read-only grant: open works");
  const st2 = await describe(b, "conc.html");
  dro.root.getChildren()[0].createChildElement("p", { class: "ro" });
  await sleep(300);
  same(await describe(b, "conc.html"), st2, "read-only grant: edits refused, document unchanged");
  e = await failure(ro.sync.sync("conc.html", enc.encode("AAA=")));
  ok(e && /1001|permission denied/.test(`${e.message} ${e.code}`), "... with permission denied", errOf(e));
  e = await failure(within(5000, ro.sync.open("other.html"), "open ungranted"));
  is(e?.code, 1001, "no grant for the path: open refused (1001)");
  ro.dispose?.();

  // ---- restart: resync with the state vector -------------------------
  const rdoc = await a.sync.open("r.html", { initialJson: J2 });
  rdoc.root.getChildren()[0].createChildElement("p", { class: "r0" });
  ok(await until("r0 on the server", async () => classes(await describe(b, "r.html")).join() === "r0"),
     "r.html edited");
  const port = server.port;
  server.proc.kill("SIGKILL");
  await server.exited;
  server = await startServer({
    dataDir: server.dataDir,
    secret: server.secret,
    args: ["--listen", `127.0.0.1:${port}`],
  });
  is(server.port, port, "server restarted on the same port");
  const d2 = await client(server, { name: "dave" });
  const dd = await d2.sync.open("r.html");
  same(docClasses(dd), ["r0"], "after kill -9 and restart the document is there");
  dd.root.getChildren()[0].createChildElement("p", { class: "r1" });
  ok(await until("alice resyncs", async () => docClasses(rdoc).join() === "r0,r1", 20000),
     "the reconnected SDK client resynced with its state vector");
  rdoc.root.getChildren()[0].createChildElement("p", { class: "r2" });
  ok(await until("dave sees alice", async () => docClasses(dd).join() === "r0,r1,r2"),
     "... and its new edits reach the others");
  a.dispose?.();
  b.dispose?.();
  d2.dispose?.();

  // ---- kill -9 while a client streams updates ------------------------
  {
    const w = await client(server, { name: "writer" });
    const acked = [];
    const orig = w.sendRequest.bind(w);
    w.sendRequest = async (type, req, data) => {
      const r = await orig(type, req, data);
      if (type === "room.tool_call_request_chunk" && req?.chunk?.headers?.kind === "sync" && data) {
        const bytes = Buffer.from(Buffer.from(data).toString("latin1"), "base64").toString("latin1");
        for (const m of bytes.matchAll(/mark-(\d{5})-end/g)) acked.push(Number(m[1]));
      }
      return r;
    };
    const kd = await w.sync.open("k.html", { initialJson: J2 });
    const kb = kd.root.getChildren()[0];
    let i = 0;
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        kb.createChildElement("p", { class: `mark-${String(i++).padStart(5, "0")}-end` });
        await sleep(i % 3 ? 0 : 2);
      }
    })();
    await until("acks", async () => acked.length >= 60, 20000);
    server.proc.kill("SIGKILL");
    await server.exited;
    stop = true;
    await writer;
    const nacked = acked.length;
    diag(`${i} updates made, ${nacked} acknowledged before the kill`);
    w.dispose?.();
    server = await startServer({ dataDir: server.dataDir, secret: server.secret });
    const v = await client(server, { name: "verifier" });
    const have = new Set(classes(await describe(v, "k.html")));
    const lost = acked.filter((n) => !have.has(`mark-${String(n).padStart(5, "0")}-end`));
    ok(nacked >= 60 && lost.length === 0,
       `kill -9 while streaming: all ${nacked} acknowledged updates survived`,
       `lost: ${lost.join(",")}`);
    v.dispose?.();
  }

  const ex = await server.stop();
  if (!is(ex.code, 0, "SIGTERM: meshroomd exits 0")) diag(server.stderr().slice(-3000));
}

main()
  .catch((e) => ok(false, "no exception", e?.stack ?? String(e)))
  .finally(() => process.exit(done()));
