// bytecompat.mjs - byte compatibility of libclient with the TypeScript SDK
// 0.39.9 (issue 5 §1): the same sequence of calls (storage exists, upload,
// stat, list, download, download_url, move, delete; sync create, describe,
// open, an edit, close) is made once by an SDK RoomClient and once by our
// client (client-driver), each through a recording WebSocket proxy in front
// of one meshroomd (proxy.mjs), each in its own room.  The two recordings
// are cut into the same phases (one per call) and compared message by
// message: message types, message id sequence, packed header JSON text
// (key order, compact form), the chunk sequence of each stream, the binary
// tails and the slicing into 1024-byte packets; ids, timestamps,
// tool_call_ids, uuids, Yjs client ids and update payload bytes aside.
// Also checked on our side alone: the TS pacing of request chunks (chunk
// n+1 only after the response to chunk n).  Prints TAP.
import crypto from "crypto";
import fs from "fs";
import os from "os";
import path from "path";
import { M, connect, diag, done, is, mintToken, ok, startServer, top, within } from "../server/lib.mjs";
import { Driver } from "./driver.mjs";
import { decode, startProxy } from "./proxy.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
process.on("unhandledRejection", () => {});

// Deterministic file contents: 100000 bytes (two 64 KiB pulls, many packets).
const DATA = Buffer.alloc(100000);
for (let i = 0; i < DATA.length; i++) DATA[i] = (i * 7 + (i >> 8)) & 0xff;
const DOC = { html: { children: [{ body: { children: [{ p: { class: "x" } }] } }] } };

// The scenario: [phase name, SDK call, driver command].  The driver's
// upload reads the file written to tmp/a.bin.
function steps(tmp) {
  const file = path.join(tmp, "a.bin");
  fs.writeFileSync(file, DATA);
  let doc;
  return [
    ["exists (missing)", (r) => r.storage.exists("bc/a.txt"), "exists bc/a.txt"],
    ["upload 100000 bytes", (r) => r.storage.upload("bc/a.txt", DATA), `upload bc/a.txt ${file}`],
    ["exists", (r) => r.storage.exists("bc/a.txt"), "exists bc/a.txt"],
    ["stat", (r) => r.storage.stat("bc/a.txt"), "stat bc/a.txt"],
    ["list", (r) => r.storage.list("bc"), "list bc"],
    ["download", (r) => r.storage.download("bc/a.txt"), `download bc/a.txt ${path.join(tmp, "down.bin")}`],
    ["download_url", (r) => r.storage.downloadUrl("bc/a.txt"), "url bc/a.txt"],
    ["move", (r) => r.storage.move("bc/a.txt", "bc/b.txt"), "move bc/a.txt bc/b.txt"],
    ["delete", (r) => r.storage.delete("bc/b.txt"), "delete bc/b.txt"],
    ["sync.create", (r) => r.sync.create("bc/d.html", DOC), `create bc/d.html ${JSON.stringify(DOC)}`],
    [
      "sync.describe",
      (r) => r.invoke({ toolkit: "sync", tool: "describe", input: { path: "bc/d.html", schema_path: null } }),
      "describe bc/d.html",
    ],
    ["sync.open", async (r) => (doc = await r.sync.open("bc/d.html")), "open bc/d.html create"],
    [
      "edit (one element inserted)",
      async () => doc.root.getChildren()[0].createChildElement("p", { class: "z" }),
      `insert bc/d.html /html/children/0/body/children -1 {"p":{"class":"z"}}`,
    ],
    ["sync.close", (r) => r.sync.close("bc/d.html"), "close bc/d.html"],
  ];
}

// Values that differ between two runs by nature.
const VARIABLE = new Set([
  "tool_call_id",
  "participant_id",
  "participantId",
  "session_id",
  "room_name",
  "room_url",
  "created_at",
  "updated_at",
  "url",
  "vector",
]);
function scrub(v) {
  if (Array.isArray(v)) return v.map(scrub);
  if (v && typeof v === "object") {
    const o = {};
    for (const [k, x] of Object.entries(v))
      o[k] = VARIABLE.has(k) && x !== null ? `<${k}>` : k === "name" && typeof x === "string" && /^[0-9a-f-]{36}$/.test(x) ? "<uuid>" : scrub(x);
    return o;
  }
  return v;
}

// Is m a chunk carrying a Yjs update (its bytes differ by nature)?
function isUpdate(m) {
  const kind = m.json?.chunk?.headers?.kind;
  return m.json?.chunk?.type === "binary" && (kind === "sync" || kind === "state");
}

// A comparable line for one client->server message; ids are replaced by
// their order of appearance on the connection.
function signature(m, ids) {
  if (m.errors?.length && !m.type) return `malformed: ${m.errors.join("; ")}`;
  if (!ids.has(m.id)) ids.set(m.id, ids.size);
  const header = m.json ? JSON.stringify(scrub(m.json)) : m.header;
  // Packet sizes follow from the data length (decode() checks the 1024-byte
  // rule on every message); they are compared where the length does not
  // depend on a variable value (an SDK tool_call_id has 12 or 13 hex
  // digits after the timestamp, an update has its own length).
  const variable = !m.json || header !== JSON.stringify(m.json);
  let tail;
  if (isUpdate(m)) tail = m.tail.length ? "<update base64>" : "<empty>";
  else tail = m.tail.length ? `${m.tail.length} bytes sha256:${crypto.createHash("sha256").update(m.tail).digest("hex").slice(0, 16)}` : "<empty>";
  const packets = isUpdate(m) || variable ? "<sliced by 1024>" : m.packets.join(",");
  return `#${ids.get(m.id)} ${m.type} packets=[${packets}] ${header} tail=${tail}`;
}

// The phases of one connection's recording: name -> {c2s: [messages], s2c: [...]}.
function phases(log, conn) {
  const out = new Map();
  let cur = "connect";
  out.set(cur, { c2s: [], s2c: [] });
  for (const m of decode(log.filter((f) => f.dir === "mark" || f.conn === conn))) {
    if (m.dir === "mark") {
      cur = m.name;
      out.set(cur, { c2s: [], s2c: [] });
    } else {
      out.get(cur)[m.dir].push(m);
    }
  }
  return out;
}

// The request chunks of conn sent before the response to the previous
// request chunk of the same stream.
function pacing(log, conn) {
  const waitingFor = new Map(); // tool_call_id -> id of its last chunk
  const answered = new Set();
  const out = [];
  for (const m of decode(log.filter((f) => f.conn === conn))) {
    if (m.dir === "s2c" && m.type === "__response__") answered.add(m.id);
    if (m.dir !== "c2s" || m.type !== "room.tool_call_request_chunk") continue;
    const t = m.json?.tool_call_id;
    const prev = waitingFor.get(t);
    if (prev !== undefined && !answered.has(prev))
      out.push(`chunk #${m.id} (${m.json?.chunk?.headers?.kind ?? m.json?.chunk?.method}) sent before the response to #${prev}`);
    waitingFor.set(t, m.id);
  }
  return out;
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bytecompat-"));
  const server = await startServer({ args: ["--schemas", path.join(top, "schemas")] });
  const proxy = await startProxy(`ws://127.0.0.1:${server.port}`);
  let driver;
  try {
    const plan = steps(tmp);

    // ---- the SDK, through the proxy ------------------------------------
    const sdkJwt = await mintToken({ secret: server.secret, room: "bcsdk" });
    proxy.mark("sdk:connect");
    const room = await connect(proxy, "bcsdk", sdkJwt);
    const sdkConn = proxy.log.find((f) => f.conn)?.conn;
    await sleep(200);
    for (const [name, sdk] of plan) {
      proxy.mark(`sdk:${name}`);
      await within(15000, Promise.resolve(sdk(room)), `SDK ${name}`);
      await sleep(300);
    }
    proxy.mark("sdk:end");
    room.dispose();
    await sleep(200);

    if (process.env.BYTECOMPAT_DUMP) {
      const ids = new Map();
      for (const [name, ph] of phases(proxy.log, sdkConn)) {
        diag(`== ${name}`);
        for (const m of ph.c2s) diag(`> ${signature(m, ids)}`);
        for (const m of ph.s2c) diag(`< ${m.type} ${m.header?.slice(0, 200)} tail=${m.tail?.length}`);
      }
    }

    // ---- our client, through the proxy ---------------------------------
    const ourJwt = await mintToken({ secret: server.secret, room: "bcours" });
    driver = new Driver();
    proxy.mark("ours:connect");
    await driver.do(`connect ${proxy.wsUrl("bcours")} ${ourJwt} 10000`);
    const ourConn = Math.max(...proxy.log.filter((f) => f.conn).map((f) => f.conn));
    await sleep(200);
    for (const [name, , cmd] of plan) {
      proxy.mark(`ours:${name}`);
      const r = await driver.cmd(cmd);
      ok(r.ok, `our client: ${name}`, `${r.errno}: ${r.err}`);
      await sleep(300);
    }
    proxy.mark("ours:end");
    const ex = await driver.quit();
    is(ex.code, 0, "the driver exits cleanly", JSON.stringify(ex) + driver.stderr.slice(-2000));
    driver = null;
    ok(fs.existsSync(path.join(tmp, "down.bin")) && fs.readFileSync(path.join(tmp, "down.bin")).equals(DATA), "our download got the bytes");

    // ---- compare ------------------------------------------------------------
    const sdkPh = phases(proxy.log, sdkConn);
    const ourPh = phases(proxy.log, ourConn);
    for (const name of ["connect", ...plan.map((s) => s[0])]) {
      const a = sdkPh.get(`sdk:${name}`) ?? { c2s: [], s2c: [] };
      const b = ourPh.get(`ours:${name}`) ?? { c2s: [], s2c: [] };
      // ids numbered per phase: their correlation is compared, not their values
      const sdkIds = new Map();
      const ourIds = new Map();
      const sa = a.c2s.map((m) => signature(m, sdkIds));
      const sb = b.c2s.map((m) => signature(m, ourIds));
      // The SDK echoes the state it receives on open as a sync chunk (spec
      // §9.5): it carries nothing new for the server; a client may omit it.
      if (name === "sync.open" && sa.length === sb.length + 1 && /"kind":"sync"/.test(sa[sa.length - 1] ?? "")) {
        diag("sync.open: the SDK echoes the state it received as a sync chunk; ours does not (tolerated)");
        sa.pop();
      }
      const diff = [];
      for (let i = 0; i < Math.max(sa.length, sb.length); i++)
        if (sa[i] !== sb[i]) diff.push(`message ${i}:\n  SDK:  ${sa[i] ?? "(none)"}\n  ours: ${sb[i] ?? "(none)"}`);
      ok(diff.length === 0, `${name}: client -> server messages as the SDK's (${sa.length})`, diff.join("\n"));
      // Well-formed framing and compact JSON on our side.
      const errs = b.c2s.flatMap((m) => m.errors ?? []);
      for (const m of b.c2s)
        if (m.json && m.header !== JSON.stringify(m.json)) errs.push(`${m.type}: header JSON not in compact form: ${m.header.slice(0, 100)}`);
      if (errs.length) ok(false, `${name}: our framing`, errs.join("\n"));
      // The server's answers: the same types in the same order.
      const ta = a.s2c.filter((m) => !/^storage\.file\./.test(m.type)).map((m) => m.type + (m.json?.chunk ? `/${m.json.chunk.type}/${m.json.chunk.headers?.kind ?? m.json.chunk.method ?? ""}` : ""));
      const tb = b.s2c.filter((m) => !/^storage\.file\./.test(m.type)).map((m) => m.type + (m.json?.chunk ? `/${m.json.chunk.type}/${m.json.chunk.headers?.kind ?? m.json.chunk.method ?? ""}` : ""));
      if (ta.join() !== tb.join()) diag(`${name}: the server answered differently:\n  SDK:  ${ta.join(" ")}\n  ours: ${tb.join(" ")}`);
    }

    // Pacing: a request chunk of a stream goes out only after the response
    // to the previous request chunk of that stream (what 0.39.9 does).
    const sdkPacing = pacing(proxy.log, sdkConn);
    if (sdkPacing.length) diag(`the SDK itself does not pace:\n${sdkPacing.slice(0, 5).join("\n")}`);
    const ourPacing = pacing(proxy.log, ourConn);
    ok(ourPacing.length === 0, "our request chunks are paced as the SDK's (one response per chunk)", ourPacing.slice(0, 10).join("\n"));
    const seq = decode(proxy.log.filter((f) => f.conn === ourConn));
    const ids = seq.filter((m) => m.dir === "c2s" && m.type).map((m) => m.id);
    ok(ids.length > 0 && ids.every((id, i) => id === i), "our message ids count from 0 one by one (as the SDK's)", ids.join(","));
  } finally {
    if (driver) await driver.quit();
    await proxy.stop();
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main()
  .catch((e) => ok(false, "the test ran to its end", e.stack))
  .finally(() => process.exit(done()));
