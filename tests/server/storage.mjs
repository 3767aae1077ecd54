// storage.mjs - meshroomd's handshake, storage toolkit and admission checks
// against the real TypeScript SDK (@meshagent/meshagent 0.39.9): the
// 0.39.9 live-test flow of spec Appendix A (upload -> updated event to
// self, list, exists, stat, download, delete -> deleted event, move ->
// moved event), error codes (3001/3002/3004/3005, unknown tool 1003),
// token refusals (HTTP 403), read-only grants, path escapes (`..`, a
// symlink planted in the data dir) and the HTTP download URL.  Prints TAP.
import fs from "fs";
import path from "path";
import {
  M,
  ok,
  is,
  same,
  diag,
  done,
  within,
  failure,
  startServer,
  mintToken,
  connect,
  nextEvent,
  top,
} from "./lib.mjs";

// TS 0.39.9 quirk: after a refused upgrade, RoomClient.start disposes its
// socket while `ws` is still CONNECTING, and `ws` then emits an 'error'
// nobody listens to.  That error is the SDK's, not the server's: ignore
// exactly it (the refusal itself is checked through start()'s rejection).
// It also leaves failures of internal promises unhandled (a refused start,
// dispose() of a started client): ignore those too.
const sdkNoise = (e) =>
  e instanceof M.RoomServerException ||
  /WebSocket was closed before the connection was established/.test(e?.message ?? "");
process.on("uncaughtException", (e) => {
  if (!sdkNoise(e)) throw e;
});
process.on("unhandledRejection", (e) => {
  if (!sdkNoise(e)) throw e;
});

const enc = new TextEncoder();
const dec = new TextDecoder();
const ROOM = "test-room";
const code = (e) => e?.code ?? null;

const server = await startServer();
let a, b;
try {
  const jwt = await mintToken({ secret: server.secret, room: ROOM, name: "alice" });

  // --- handshake -----------------------------------------------------
  a = await connect(server, ROOM, jwt);
  is(a.roomName, ROOM, "room_ready: room_name");
  ok(typeof a.sessionId === "string" && a.sessionId.length > 0, "room_ready: session_id");
  ok(/^ws:\/\/127\.0\.0\.1:\d+\/rooms\/test-room$/.test(a.roomUrl), "room_ready: room_url", a.roomUrl);
  const pidA = a.localParticipant?.id;
  ok(/^[0-9a-f-]{36}$/.test(pidA ?? ""), "connected: participantId is a UUID", pidA);
  b = await connect(server, ROOM, await mintToken({ secret: server.secret, room: ROOM, name: "bob" }));
  ok(b.localParticipant.id !== pidA, "second participant gets another id");

  // --- upload -> updated event to self and to the other participant ---
  const evA = nextEvent(a, "file updated", (e) => e.path === "a.txt");
  const evB = nextEvent(b, "file updated", (e) => e.path === "a.txt");
  await within(10000, a.storage.upload("a.txt", enc.encode("hello, world!")), "upload a.txt");
  const ea = await evA;
  is(ea.participantId, pidA, "updated event to the actor, with its participant id");
  is((await evB).participantId, pidA, "updated event to the other participant");
  ok(fs.readFileSync(path.join(server.dataDir, ROOM, "a.txt"), "utf8") === "hello, world!",
     "upload: file on disk under DIR/<room>/");

  // --- list, exists, stat ---------------------------------------------
  const list = await a.storage.list("");
  const ent = list.find((e) => e.name === "a.txt");
  ok(ent && !ent.isFolder && ent.size === 13, "list: a.txt, file, size 13", JSON.stringify(list));
  ok(ent && ent.createdAt instanceof Date && !isNaN(ent.createdAt) && ent.updatedAt instanceof Date,
     "list: timestamps parse as dates");
  ok(!list.some((e) => e.name.startsWith(".meshroomd")), "list hides temp files");
  is(await a.storage.exists("a.txt"), true, "exists: a.txt");
  is(await a.storage.exists("nope.txt"), false, "exists: missing");
  is(await a.storage.exists(""), true, "exists: root");
  const st = await a.storage.stat("a.txt");
  ok(st && st.name === "a.txt" && st.size === 13 && !st.isFolder, "stat: a.txt", JSON.stringify(st));
  is(await a.storage.stat("nope.txt"), null, "stat: missing -> null");

  // Exact reply key sets (Python HEAD rejects extra keys): raw invoke.
  const raw = async (tool, args) => (await a.invoke({ toolkit: "storage", tool, input: args })).json;
  same(Object.keys(await raw("exists", { path: "a.txt" })), ["exists"], "exists: key set");
  same(Object.keys(await raw("stat", { path: "a.txt" })),
       ["exists", "name", "is_folder", "size", "created_at", "updated_at"], "stat: key set");
  same(await raw("stat", { path: "nope" }), { exists: false }, "stat: missing is {exists:false}");
  const rl = await raw("list", { path: "" });
  same(Object.keys(rl), ["files"], "list: key set");
  ok(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/.test(rl.files[0].updated_at),
     "timestamps are YYYY-MM-DDTHH:MM:SS.ffffff+00:00", rl.files[0].updated_at);

  // --- download ---------------------------------------------------------
  const f = await within(10000, a.storage.download("a.txt"), "download a.txt");
  is(dec.decode(f.data), "hello, world!", "download: data");
  is(f.name, "a.txt", "download: name");
  is(f.mimeType, "text/plain", "download: mime type from the TS table");
  // A multi-chunk download and upload (stream pulls).
  const big = new Uint8Array(200000).map((_, i) => (i * 7) & 255);
  await within(10000, a.storage.upload("dir/sub/big.bin", big), "upload big.bin");
  const chunks = [];
  for await (const c of await a.storage.downloadStream("dir/sub/big.bin", { chunkSize: 50000 }))
    chunks.push(c.data);
  const got = Buffer.concat(chunks.map((c) => Buffer.from(c)));
  ok(got.length === big.length && Buffer.compare(got, Buffer.from(big)) === 0,
     "download: 200000 bytes in 50000-byte pulls");
  const empty = await a.storage.download((await a.storage.upload("empty.txt", new Uint8Array(0)), "empty.txt"));
  is(empty.data.length, 0, "upload + download of an empty file");
  const fo = await a.storage.stat("dir");
  ok(fo && fo.isFolder && fo.size === null, "stat: implicit folder", JSON.stringify(fo));

  // --- errors -----------------------------------------------------------
  is(code(await failure(a.storage.upload("a.txt", enc.encode("x")))), 3005, "upload onto an existing file without overwrite: 3005");
  await a.storage.upload("a.txt", enc.encode("second"), { overwrite: true });
  is(dec.decode((await a.storage.download("a.txt")).data), "second", "upload with overwrite replaces the file");
  is(code(await failure(a.storage.download("nope.txt"))), 3001, "download of a missing file: 3001");
  is(code(await failure(a.storage.delete("nope.txt"))), 3001, "delete of a missing file: 3001");
  is(code(await failure(a.storage.delete("dir"))), 3002, "delete of a non-empty folder without recursive: 3002");
  is(code(await failure(a.storage.move("nope", "x"))), 3001, "move of a missing source: 3001");
  await a.storage.upload("b.txt", enc.encode("b"));
  is(code(await failure(a.storage.move("b.txt", "a.txt"))), 3005, "move onto an existing file without overwrite: 3005");
  is(code(await failure(a.storage.download("../x"))), 3004, "download ../x: 3004");
  is(code(await failure(a.storage.upload("a/../../x", enc.encode("x")))), 3004, "upload a/../../x: 3004");
  is(code(await failure(a.storage.list("../"))), 3004, "list ../: 3004");
  const e1003 = await failure(a.invoke({ toolkit: "nope", tool: "x", input: {} }));
  is(code(e1003), 1003, "unknown toolkit: 1003");
  ok(/tool not found nope\.x/.test(e1003?.message ?? ""), "unknown toolkit: text", e1003?.message);
  is(code(await failure(a.invoke({ toolkit: "storage", tool: "frobnicate", input: {} }))), 1003, "unknown storage tool: 1003");

  // --- move and delete with events ------------------------------------
  const mv = nextEvent(b, "file moved", (e) => e.sourcePath === "b.txt");
  await a.storage.move("b.txt", "moved/c.txt");
  const me = await mv;
  ok(me.destinationPath === "moved/c.txt" && me.participantId === pidA, "moved event to others, with paths and actor");
  is(await a.storage.exists("b.txt"), false, "move: source gone");
  is(dec.decode((await a.storage.download("moved/c.txt")).data), "b", "move: destination has the data");
  await a.storage.move("moved/c.txt", "a.txt", { overwrite: true });
  is(dec.decode((await a.storage.download("a.txt")).data), "b", "move with overwrite replaces the destination");
  const del = nextEvent(a, "file deleted", (e) => e.path === "a.txt");
  await a.storage.delete("a.txt");
  is((await del).participantId, pidA, "deleted event to the actor");
  is(await a.storage.exists("a.txt"), false, "delete: gone");
  const delDir = nextEvent(b, "file deleted", (e) => e.path === "dir");
  await a.storage.delete("dir", { recursive: true });
  await delDir;
  is(await a.storage.exists("dir"), false, "recursive delete of a folder");
  // rename(2) cannot put a folder over a folder: the old destination goes
  // to a hidden trash name first, which the storage worker removes.
  await a.storage.upload("f1/x.txt", enc.encode("1"));
  await a.storage.upload("f2/y.txt", enc.encode("2"));
  await a.storage.move("f1", "f2", { overwrite: true });
  same((await a.storage.list("f2")).map((e) => e.name), ["x.txt"], "move of a folder over a folder with overwrite: the destination is replaced");
  const leftovers = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith(".meshroomd-tmp.")) leftovers.push(path.join(d, e.name));
      if (e.isDirectory()) walk(path.join(d, e.name));
    }
  };
  walk(path.join(server.dataDir, ROOM));
  same(leftovers, [], "no temp or trash files left in the room after uploads, deletes and moves");

  // --- symlink planted in the data dir ----------------------------------
  const outside = fs.mkdtempSync(path.join(path.dirname(server.dataDir), "outside-"));
  fs.writeFileSync(path.join(outside, "secret.txt"), "top secret");
  fs.symlinkSync(outside, path.join(server.dataDir, ROOM, "link"));
  fs.symlinkSync(path.join(outside, "secret.txt"), path.join(server.dataDir, ROOM, "file-link"));
  is(code(await failure(a.storage.download("link/secret.txt"))), 3004, "download through a planted folder symlink: 3004");
  is(code(await failure(a.storage.download("file-link"))), 3004, "download of a planted file symlink: 3004");
  is(code(await failure(a.storage.upload("link/new.txt", enc.encode("x")))), 3004, "upload through a planted symlink: 3004");
  ok(!fs.existsSync(path.join(outside, "new.txt")), "nothing written outside the room");
  ok(!(await a.storage.list("")).some((e) => e.name === "link"), "list does not show symlinks");
  fs.rmSync(outside, { recursive: true, force: true });

  // --- download_url + HTTP GET ------------------------------------------
  await a.storage.upload("docs/hello world.md", enc.encode("# hi\n"));
  const url = await a.storage.downloadUrl("docs/hello world.md");
  ok(/^http:\/\/127\.0\.0\.1:\d+\/rooms\/test-room\/storage\/docs\/hello%20world\.md\?token=/.test(url), "download_url: http URL", url);
  let res = await fetch(url);
  is(res.status, 200, "GET download_url: 200");
  is(await res.text(), "# hi\n", "GET download_url: body");
  is(res.headers.get("content-type"), "text/markdown", "GET download_url: content type");
  res = await fetch(url.replace(/token=.*/, "token=x.y.z"));
  is(res.status, 403, "GET with a bad token: 403");
  res = await fetch(url.replace("hello%20world", "nope"));
  is(res.status, 404, "GET of a missing file: 404");
  const bigUrl = await a.storage.downloadUrl((await a.storage.upload("docs/big.bin", big), "docs/big.bin"));
  res = await fetch(bigUrl);
  const body = Buffer.from(await res.arrayBuffer());
  ok(res.status === 200 && Buffer.compare(body, Buffer.from(big)) === 0, "GET download_url of a 200 kB file: every byte");
  res = await fetch(`${server.httpUrl}/`);
  is(res.status, 200, "GET /: 200");

  // --- tokens ----------------------------------------------------------
  const expired = await mintToken({ secret: server.secret, room: ROOM, expiration: new Date(Date.now() - 60000) });
  let e = await failure(connect(server, ROOM, expired));
  ok(e && /403/.test(e.message), "expired token: refused with 403", e?.message);
  e = await failure(connect(server, ROOM, await mintToken({ secret: "wrong-secret", room: ROOM })));
  ok(e && /403/.test(e.message), "wrongly signed token: refused with 403", e?.message);
  e = await failure(connect(server, "other-room", jwt));
  ok(e && /403/.test(e.message), "token for another room: refused with 403", e?.message);
  e = await failure(connect(server, ".bad", jwt));
  ok(e && /404/.test(e.message), "invalid room name: 404", e?.message);

  // --- read-only storage grant ------------------------------------------
  const ro = await connect(server, ROOM, await mintToken({
    secret: server.secret, room: ROOM, name: "reader",
    storagePaths: [{ path: "docs/", readOnly: true }, { path: "scratch/" }],
  }));
  is(dec.decode((await ro.storage.download("docs/hello world.md")).data), "# hi\n", "read-only grant: download allowed");
  is(code(await failure(ro.storage.upload("docs/x.txt", enc.encode("x")))), 1001, "read-only grant: upload refused (1001)");
  is(code(await failure(ro.storage.delete("docs/hello world.md"))), 1001, "read-only grant: delete refused (1001)");
  is(code(await failure(ro.storage.move("docs/hello world.md", "scratch/y.md"))), 1001, "read-only grant: move out refused (1001)");
  await ro.storage.upload("scratch/ok.txt", enc.encode("ok"));
  is(await ro.storage.exists("scratch/ok.txt"), true, "writable path grant: upload allowed");
  is(code(await failure(ro.storage.download("elsewhere.txt"))), 1001, "no matching path grant: download refused (1001)");
  ro.dispose();

  // --- shutdown ---------------------------------------------------------
  const closed = within(10000, new Promise((res) => a.waitForClose ? a.waitForClose().then(res, res) : res()), "client sees the close");
  const ex = await server.stop();
  is(ex.code, 0, "SIGTERM: meshroomd exits 0");
  await closed.catch((err) => diag(err.message));
  ok(true, "clients were closed by the shutdown");
} catch (err) {
  ok(false, "unexpected exception", err?.stack ?? String(err));
  diag(server.stderr());
} finally {
  a?.dispose?.();
  b?.dispose?.();
  await server.stop();
}
// --- built-in schemas are seeded into a new room's .schemas/ ---------
{
  const s2 = await startServer({ args: ["--schemas", path.join(top, "schemas")] });
  let c;
  try {
    c = await connect(s2, "seeded", await mintToken({ secret: s2.secret, room: "seeded", name: "c" }));
    const names = (await c.storage.list(".schemas")).map((e) => e.name).sort();
    ok(names.includes("document.json") && names.includes("thread.json") && names.includes("html.json"),
       "new room: built-in schemas seeded into .schemas/", JSON.stringify(names));
    is(fs.readFileSync(path.join(s2.dataDir, "seeded", ".schemas", "html.json"), "utf8"),
       fs.readFileSync(path.join(top, "schemas", "html.json"), "utf8"),
       "seeded schema is a copy of the built-in one");
  } catch (err) {
    ok(false, "seeding: unexpected exception", err?.stack ?? String(err));
    diag(s2.stderr());
  } finally {
    c?.dispose?.();
    await s2.stop();
  }
}
process.exit(done());
