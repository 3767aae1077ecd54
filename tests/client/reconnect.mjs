// reconnect.mjs - our client (client-driver) and an SDK client edit one
// document while meshroomd is killed with SIGKILL and restarted on the same
// port and data directory (issue 5 §3): our client backs off, reconnects,
// resyncs with its state vector and sends the edits the server lacks,
// including those made while the server was down and one made just before
// the kill; no edit is lost and both sides converge with the server.  The
// SDK edits only while connected (0.39.9 drops edits made while
// disconnected, spec §9.6: a limitation of the SDK, not tested here).
// Prints TAP.
import { diag, done, is, ok, same, startServer, within } from "../server/lib.mjs";
import { classes, htmlDoc, sdkClient, sdkDescribe, sdkJson, sleep, startRoomServer, token, until } from "./common.mjs";
import { Driver } from "./driver.mjs";

process.on("unhandledRejection", () => {});
const ROOM = "reconnect";
const P = "/html/children/0/body/children";
const DOC = "r.html";

async function main() {
  let server = await startRoomServer();
  const port = server.port;
  let ours;
  let sdk;
  const restart = async () => {
    server = await startRoomServer({
      dataDir: server.dataDir,
      secret: server.secret,
      args: ["--listen", `127.0.0.1:${port}`],
    });
    return server.port === port;
  };
  const state = async () => (await ours.do("state")).state;
  const render = async () => (await ours.do(`render ${DOC}`)).json;
  try {
    sdk = await sdkClient(server, ROOM);
    ours = new Driver();
    let r = await ours.cmd(`connect ${server.wsUrl(ROOM)} ${await token(server, ROOM, "ours")} 5000 100 1000`);
    if (!ok(r.ok, "our client connects (timeout 5 s, backoff 0.1-1 s)", `${r.errno}: ${r.err}`)) return;
    await within(10000, sdk.sync.create(DOC, htmlDoc([])), "SDK create");
    r = await ours.cmd(`open ${DOC}`);
    ok(r.ok, "we open the document", `${r.errno}: ${r.err}`);
    const sdoc = await within(10000, sdk.sync.open(DOC), "SDK open");
    const body = () => sdoc.root.getChildren()[0];

    await ours.do(`insert ${DOC} ${P} -1 {"p":{"class":"o0"}}`);
    body().createChildElement("p", { class: "s0" });
    await ours.do(`flush ${DOC}`);
    ok(await until("o0,s0 on both sides", async () => {
      const mine = await render();
      return classes(mine).length === 2 && JSON.stringify(mine) === JSON.stringify(sdkJson(sdoc));
    }), "both sides edit and converge before the kill");
    // the SDK's edit durable before the kill (it never re-sends it)
    await until("s0 on the server", async () => classes(await sdkDescribe(sdk, DOC)).includes("s0"));
    await sleep(500);

    // ---- kill -9; edits while the server is down -------------------------
    server.proc.kill("SIGKILL");
    await server.exited;
    ok(await until("reconnecting", async () => (await state()) === "reconnecting", 10000), "our client notices: reconnecting");
    r = await ours.cmd(`insert ${DOC} ${P} -1 {"p":{"class":"o1"}}`);
    ok(r.ok, "an edit while the server is down is made locally", `${r.errno}: ${r.err}`);
    const i0 = classes(await render()).indexOf("o0");
    r = await ours.cmd(`setattr ${DOC} ${P}/${i0}/p class "o0-down"`);
    ok(r.ok, "... and an attribute change", `${r.errno}: ${r.err}`);
    r = await ours.cmd(`rev ${DOC}`);
    ok(r.pending === true, "... both queued (pending)");
    r = await ours.cmd(`flush ${DOC}`, 20000);
    ok(!r.ok && (r.errno === "ENOTCONN" || r.errno === "ETIMEDOUT"), "flush while down fails (ENOTCONN or ETIMEDOUT)", `${r.ok} ${r.errno}: ${r.err}`);
    ok(r.ms < 5000 + 3000, `... within the timeout (${Math.round(r.ms)} ms)`);
    r = await ours.cmd("exists x");
    ok(!r.ok, "a storage call while down fails", JSON.stringify(r));
    await sleep(1500); // a few reconnect attempts fail meanwhile

    // ---- restart -----------------------------------------------------------
    ok(await restart(), "meshroomd restarted on the same port and data");
    ok(await until("connected", async () => (await state()) === "connected", 15000), "our client reconnects");
    r = await ours.cmd(`flush ${DOC}`, 20000);
    ok(r.ok, "flush after the reconnect: the offline edits are acknowledged", `${r.errno}: ${r.err}`);
    ok(await until("the SDK to reconnect and see o1", () => classes(sdkJson(sdoc)).includes("o1"), 20000),
      "the SDK (reconnected) sees the edit made while the server was down");
    ok(await until("o0-down at the SDK", () => classes(sdkJson(sdoc)).includes("o0-down") && !classes(sdkJson(sdoc)).includes("o0")), "... and the attribute change");
    body().createChildElement("p", { class: "s1" });
    await ours.do(`insert ${DOC} ${P} 0 {"p":{"class":"o2"}}`);
    ok(await until("s1 in our replica", async () => classes(await render()).includes("s1")), "an SDK edit after the restart reaches us");

    // ---- kill -9 right after an edit (maybe not acknowledged) --------------
    await ours.do(`insert ${DOC} ${P} -1 {"p":{"class":"o3"}}`);
    server.proc.kill("SIGKILL");
    await server.exited;
    await ours.do(`insert ${DOC} ${P} -1 {"p":{"class":"o4"}}`);
    await sleep(300);
    ok(await restart(), "killed right after an edit and restarted");
    ok(await until("connected", async () => (await state()) === "connected", 15000), "our client reconnects again");
    r = await ours.cmd(`flush ${DOC}`, 20000);
    ok(r.ok, "flush: acknowledged", `${r.errno}: ${r.err}`);

    const want = ["o0-down", "s0", "o1", "o2", "s1", "o3", "o4"];
    let final;
    const conv = await until("convergence", async () => {
      const mine = await render();
      const srv = await sdkDescribe(sdk, DOC);
      final = { mine, theirs: sdkJson(sdoc), srv };
      return JSON.stringify(mine) === JSON.stringify(final.theirs) && JSON.stringify(mine) === JSON.stringify(srv) &&
        want.every((c) => classes(mine).includes(c));
    }, 20000);
    ok(conv, "no edit lost: ours, the SDK's and the server's document converge with every edit",
      `ours:   ${classes(final?.mine).join()}\nSDK:    ${classes(final?.theirs).join()}\nserver: ${classes(final?.srv).join()}`);
    is(classes(final?.mine).length, want.length, `... exactly ${want.length} elements`);

    // persisted: a clean restart and a fresh SDK client
    await ours.do(`close ${DOC}`);
    await within(10000, sdk.sync.close(DOC), "SDK close").catch(() => {});
    sdk.dispose();
    sdk = null;
    await server.stop({ keepData: true });
    ok(await restart(), "clean restart");
    const fresh = await sdkClient(server, ROOM, { name: "fresh" });
    same(classes(await sdkDescribe(fresh, DOC)).sort(), [...want].sort(), "every edit is on disk");
    fresh.dispose();
    r = await ours.quit();
    is(r.code, 0, "the driver exits cleanly", JSON.stringify(r) + ours.stderr.slice(-2000));
    ours = null;
  } finally {
    if (ours) await ours.quit();
    try {
      sdk?.dispose();
    } catch {}
    await server.stop();
  }
}

main()
  .catch((e) => ok(false, "the test ran to its end", e.stack))
  .finally(() => process.exit(done()));
