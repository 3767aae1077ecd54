// interop.mjs - our client (libclient through client-driver) and the
// TypeScript SDK 0.39.9 as two participants of one meshroomd room, on the
// same document (issue 5 §3): edits made on either side appear on the
// other (inserts and attribute changes, one at a time and concurrently);
// the change listener fires for remote changes; describe equals the live
// JSON of both replicas; ref counting: a second open of the same path is
// the same document and no new stream, one close keeps it syncing, the
// last close ends the stream (checked on the wire: our control/close chunk
// and the server's control/close answer, recorded by proxy.mjs, and no
// update reaches our connection afterwards).  Storage calls of both sides
// see each other's files.  Prints TAP.
import fs from "fs";
import os from "os";
import path from "path";
import { diag, done, is, ok, same, within } from "../server/lib.mjs";
import { classes, htmlDoc, sdkClient, sdkDescribe, sdkJson, sleep, startRoomServer, token, until } from "./common.mjs";
import { Driver } from "./driver.mjs";
import { decode, startProxy } from "./proxy.mjs";

process.on("unhandledRejection", () => {});
const ROOM = "interop";
const P = "/html/children/0/body/children";

async function main() {
  const server = await startRoomServer();
  const proxy = await startProxy(`ws://127.0.0.1:${server.port}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "interop-"));
  let ours;
  try {
    const sdk = await sdkClient(server, ROOM);
    ours = new Driver();
    let r = await ours.cmd(`connect ${proxy.wsUrl(ROOM)} ${await token(server, ROOM, "ours")} 10000`);
    if (!ok(r.ok, "our client connects", `${r.errno}: ${r.err}`)) return;
    is(r.room, ROOM, "... and knows the room name");
    ok(typeof r.participant === "string" && r.participant.length > 0, "... and its participant id");

    // ---- a document created by the SDK, opened by both ----------------
    await within(10000, sdk.sync.create("i.html", htmlDoc(["x"])), "SDK sync.create");
    r = await ours.cmd("open i.html");
    ok(r.ok && r.refs === 1, "we open the SDK's document", `${r.errno}: ${r.err}`);
    r = await ours.cmd("render i.html");
    same(r.json, htmlDoc(["x"]), "our replica has its content");
    const sdoc = await within(10000, sdk.sync.open("i.html"), "SDK sync.open");

    // ours -> SDK
    r = await ours.cmd(`insert i.html ${P} -1 {"p":{"class":"ours1"}}`);
    ok(r.ok && r.inserted === 1, "we insert an element", `${r.errno}: ${r.err}`);
    ok(await until("the SDK to see ours1", () => classes(sdkJson(sdoc)).join() === "x,ours1"), "... the SDK sees it");
    r = await ours.cmd("flush i.html");
    ok(r.ok, "flush returns once the server has it", `${r.errno}: ${r.err}`);
    same(classes(await sdkDescribe(sdk, "i.html")), ["x", "ours1"], "... and the server has it");

    // SDK -> ours, through the change listener
    let rev = (await ours.do("rev i.html")).rev;
    const changes = (await ours.do("rev i.html")).changes;
    sdoc.root.getChildren()[0].createChildElement("p", { class: "sdk1" });
    r = await ours.cmd(`wait i.html ${rev} 10000`);
    ok(r.ok, "an SDK edit changes our replica", `${r.errno}: ${r.err}`);
    ok(await until("sdk1 in our replica", async () => classes((await ours.do("render i.html")).json).includes("sdk1")), "... with the SDK's element");
    ok((await ours.do("rev i.html")).changes > changes, "... and our change listener was called");

    // attributes both ways
    r = await ours.cmd(`setattr i.html ${P}/0/p class "ours-set"`);
    ok(r.ok && r.attrs_set === 1, "we set an attribute", `${r.errno}: ${r.err}`);
    ok(await until("the SDK to see ours-set", () => classes(sdkJson(sdoc))[0] === "ours-set"), "... the SDK sees it");
    rev = (await ours.do("rev i.html")).rev;
    sdoc.root.getChildren()[0].getChildren()[1].setAttribute("class", "sdk-set");
    ok(await until("sdk-set in our replica", async () => classes((await ours.do("render i.html")).json)[1] === "sdk-set"), "an SDK attribute change reaches our replica");

    // concurrent edits converge
    for (let i = 0; i < 10; i++) {
      sdoc.root.getChildren()[0].createChildElement("p", { class: `s${i}` });
      const ins = ours.cmd(`insert i.html ${P} ${i % 3} {"p":{"class":"o${i}"}}`);
      if (i % 2) await sleep(5);
      await ins;
    }
    await ours.cmd("flush i.html");
    const conv = await until("convergence", async () => {
      const mine = (await ours.do("render i.html")).json;
      const theirs = sdkJson(sdoc);
      return classes(mine).length === 23 && JSON.stringify(mine) === JSON.stringify(theirs);
    });
    ok(conv, "concurrent edits on both sides converge (23 elements, same order)",
      `ours: ${classes((await ours.cmd("render i.html")).json).join()}\nSDK:  ${classes(sdkJson(sdoc)).join()}`);

    // describe = live JSON
    r = await ours.cmd("describe i.html");
    const mine = (await ours.do("render i.html")).json;
    same(r.json, mine, "our describe equals our live replica's JSON");
    same(r.json, sdkJson(sdoc), "... and the SDK's live JSON");
    same(await sdkDescribe(sdk, "i.html"), r.json, "... and the SDK's describe");

    // ---- ref counting ---------------------------------------------------
    const log0 = proxy.log.length;
    r = await ours.cmd("open i.html");
    ok(r.ok && r.refs === 2, "a second open of the same path: the same document", `${r.errno}: ${r.err} refs=${r.refs}`);
    r = await ours.cmd("close i.html");
    ok(r.ok && r.refs === 1, "one close of two", `${r.errno}: ${r.err}`);
    sdoc.root.getChildren()[0].createChildElement("p", { class: "after-close-1" });
    ok(await until("after-close-1 in our replica", async () => classes((await ours.do("render i.html")).json).includes("after-close-1")),
      "... keeps receiving the SDK's edits");
    await ours.do(`insert i.html ${P} -1 {"p":{"class":"ours-after-1"}}`);
    ok(await until("the SDK to see ours-after-1", () => classes(sdkJson(sdoc)).includes("ours-after-1")), "... and sending ours");

    const ourConn = Math.max(...proxy.log.filter((f) => f.conn).map((f) => f.conn));
    const msgs = () => decode(proxy.log.filter((f) => f.conn === ourConn));
    const opens = msgs().filter((m) => m.dir === "c2s" && m.type === "room.invoke_tool" && m.json?.toolkit === "sync" && m.json?.tool === "open");
    is(opens.length, 1, "one sync.open stream for the two opens");
    const T = opens[0]?.json?.tool_call_id;
    const closes = (from) =>
      decode(proxy.log.slice(from).filter((f) => f.conn === ourConn)).filter(
        (m) => m.json?.tool_call_id === T && m.json?.chunk?.type === "control" && m.json?.chunk?.method === "close",
      );
    is(closes(log0).length, 0, "no close of the stream after the first close");

    const log1 = proxy.log.length;
    r = await ours.cmd("close i.html");
    ok(r.ok && r.refs === 0, "the second close", `${r.errno}: ${r.err}`);
    const cl = closes(log1);
    ok(cl.some((m) => m.dir === "c2s"), "... sends the control/close chunk of the stream");
    ok(cl.some((m) => m.dir === "s2c"), "... and returned after the server's control/close (the stream ended)");
    r = await ours.cmd("render i.html");
    is(r.errno, "EBADF", "the document is no longer open in the driver");
    const log2 = proxy.log.length;
    sdoc.root.getChildren()[0].createChildElement("p", { class: "after-close-2" });
    await until("the server to have after-close-2", async () => classes(await sdkDescribe(sdk, "i.html")).includes("after-close-2"));
    await sleep(300);
    const late = decode(proxy.log.slice(log2).filter((f) => f.conn === ourConn)).filter((m) => m.dir === "s2c" && m.json?.tool_call_id === T);
    is(late.length, 0, "no update reaches our connection after the last close");
    // reopen: the server's state, including what happened meanwhile
    r = await ours.cmd("open i.html");
    ok(r.ok && r.refs === 1, "reopen", `${r.errno}: ${r.err}`);
    same((await ours.do("render i.html")).json, await sdkDescribe(sdk, "i.html"), "... gets the server's current state");
    await ours.do("close i.html");

    // ---- documents created by us, opened by the SDK -----------------------
    r = await ours.cmd(`create o.html ${JSON.stringify(htmlDoc(["a", "b"]))}`);
    ok(r.ok, "we create a document with JSON", `${r.errno}: ${r.err}`);
    same(await sdkDescribe(sdk, "o.html"), htmlDoc(["a", "b"]), "... the SDK describes it");
    r = await ours.cmd(`create o.html ${JSON.stringify(htmlDoc(["a"]))}`);
    is(r.errno, "EEXIST", "create of an existing document: EEXIST");
    r = await ours.cmd("open nope.html");
    is(r.errno, "ENOENT", "open without create of a missing document: ENOENT");
    r = await ours.cmd("open new.html create");
    ok(r.ok, "open with create of a missing document", `${r.errno}: ${r.err}`);
    await ours.do(`merge new.html ${JSON.stringify(htmlDoc(["m1", "m2"]))}`);
    await ours.do("flush new.html");
    const sdoc2 = await within(10000, sdk.sync.open("new.html"), "SDK open new.html");
    same(sdkJson(sdoc2), htmlDoc(["m1", "m2"]), "... the SDK opens what we wrote into it");
    await ours.do("close new.html");
    await within(10000, sdk.sync.close("new.html"), "SDK close new.html");

    // ---- storage between the two --------------------------------------
    const f = path.join(tmp, "up.bin");
    const bytes = Buffer.alloc(70000, 7);
    fs.writeFileSync(f, bytes);
    r = await ours.cmd(`upload s/up.bin ${f}`);
    ok(r.ok, "we upload 70000 bytes", `${r.errno}: ${r.err}`);
    const got = await within(10000, sdk.storage.download("s/up.bin"), "SDK download");
    ok(Buffer.from(got.data).equals(bytes), "... the SDK downloads the same bytes");
    await within(10000, sdk.storage.upload("s/sdk.txt", Buffer.from("hello from the SDK\n")), "SDK upload");
    r = await ours.cmd(`download s/sdk.txt ${path.join(tmp, "sdk.txt")}`);
    ok(r.ok && fs.readFileSync(path.join(tmp, "sdk.txt"), "utf8") === "hello from the SDK\n", "we download the SDK's file", `${r.errno}: ${r.err}`);
    r = await ours.cmd("list s");
    same(r.files?.map((e) => [e.name, e.size]).sort(), [["sdk.txt", 19], ["up.bin", 70000]], "our list shows both files");
    r = await ours.cmd(`upload s/up.bin ${f}`);
    is(r.errno, "EEXIST", "upload onto an existing file without overwrite: EEXIST");

    await within(10000, sdk.sync.close("i.html"), "SDK close");
    sdk.dispose();
    r = await ours.quit();
    is(r.code, 0, "the driver exits cleanly", JSON.stringify(r) + ours.stderr.slice(-2000));
    ours = null;
  } finally {
    if (ours) await ours.quit();
    await proxy.stop();
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main()
  .catch((e) => ok(false, "the test ran to its end", e.stack))
  .finally(() => process.exit(done()));
