// stall.mjs - meshroomd stopped with SIGSTOP under our client (issue 5
// §3): every call that needs the server fails with a timeout error within
// the configured timeout (plus a generous margin: a correctness bound, not
// a performance figure), local edits still work, nothing hangs (a last
// close, a flush, the client's close); after SIGCONT work resumes and the
// edits made during the stall reach the server.  Prints TAP.
import { diag, done, is, ok, same, within } from "../server/lib.mjs";
import { classes, htmlDoc, sdkClient, sdkDescribe, sleep, startRoomServer, token, until } from "./common.mjs";
import { Driver } from "./driver.mjs";

process.on("unhandledRejection", () => {});
const ROOM = "stall";
const P = "/html/children/0/body/children";
const TIMEOUT = 1500;
// Correctness bound of a failing call: the timeout, plus room for a slow,
// shared machine (and the sanitizer build).
const BOUND = TIMEOUT + 4000;

async function main() {
  const server = await startRoomServer();
  let ours;
  let stopped = false;
  const stop = () => {
    server.proc.kill("SIGSTOP");
    stopped = true;
  };
  const cont = () => {
    server.proc.kill("SIGCONT");
    stopped = false;
  };
  try {
    const sdk = await sdkClient(server, ROOM);
    await within(10000, sdk.sync.create("s.html", htmlDoc(["a"])), "SDK create");
    await within(10000, sdk.sync.create("t.html", htmlDoc(["t"])), "SDK create");
    sdk.dispose();
    ours = new Driver();
    let r = await ours.cmd(`connect ${server.wsUrl(ROOM)} ${await token(server, ROOM, "ours")} ${TIMEOUT} 100 1000`);
    if (!ok(r.ok, `our client connects (timeout ${TIMEOUT} ms)`, `${r.errno}: ${r.err}`)) return;
    await ours.do("open s.html");
    await ours.do("open t.html");

    stop();
    await sleep(100);
    // A call the stopped server never answers: exactly ETIMEDOUT.
    let t0 = Date.now();
    r = await ours.cmd("exists a.txt", 60000);
    let wall = Date.now() - t0;
    is(r.errno, "ETIMEDOUT", "a storage call to the stopped server fails with ETIMEDOUT");
    ok(wall <= BOUND && wall >= TIMEOUT - 100, `... after about the timeout (${wall} ms; bound ${TIMEOUT} - ${BOUND} ms)`);
    // Later calls: still a timeout, or ENOTCONN once the client has given
    // up on the connection (both are 'the room is not answering').
    const calls = [
      ["describe s.html", "describe"],
      ["list .", "list"],
      [`create n.html ${JSON.stringify(htmlDoc([]))}`, "create"],
      ["open u.html create", "open of another document"],
    ];
    for (const [cmd, what] of calls) {
      t0 = Date.now();
      r = await ours.cmd(cmd, 60000);
      wall = Date.now() - t0;
      ok(!r.ok && (r.errno === "ETIMEDOUT" || r.errno === "ENOTCONN"), `${what} fails (${r.errno}) in ${wall} ms, bound ${BOUND}`, JSON.stringify(r));
      ok(wall <= BOUND, `... bounded`);
    }
    r = await ours.cmd(`insert s.html ${P} -1 {"p":{"class":"stalled"}}`);
    ok(r.ok, "a local edit during the stall", `${r.errno}: ${r.err}`);
    ok((await ours.do("render s.html")).json && classes((await ours.do("render s.html")).json).includes("stalled"), "... is in the replica");
    t0 = Date.now();
    r = await ours.cmd("flush s.html", 60000);
    wall = Date.now() - t0;
    ok(!r.ok && (r.errno === "ETIMEDOUT" || r.errno === "ENOTCONN"), `flush fails (${r.errno}) in ${wall} ms`, JSON.stringify(r));
    ok(wall <= BOUND, "... bounded");
    t0 = Date.now();
    r = await ours.cmd("close t.html", 60000);
    wall = Date.now() - t0;
    ok(r.ok, "the last close of a document returns during the stall");
    ok(wall <= BOUND, `... within the bound (${wall} ms)`);

    // ---- SIGCONT: work resumes -------------------------------------------
    cont();
    ok(await until("a call to succeed", async () => (await ours.cmd("exists a.txt")).ok, 20000), "after SIGCONT calls succeed again");
    r = await ours.cmd("flush s.html", 20000);
    ok(r.ok, "flush: the edit made during the stall is acknowledged", `${r.errno}: ${r.err}`);
    const sdk2 = await sdkClient(server, ROOM, { name: "check" });
    ok(await until("the server to have it", async () => classes(await sdkDescribe(sdk2, "s.html")).join() === "a,stalled"),
      "... and the server has it");
    r = await ours.cmd("describe s.html");
    same(r.json, htmlDoc(["a", "stalled"]), "describe works again");
    r = await ours.cmd("open t.html");
    ok(r.ok, "reopen of the document closed during the stall", `${r.errno}: ${r.err}`);
    await ours.do("close t.html");
    sdk2.dispose();

    // ---- the client's close never hangs either ------------------------------
    stop();
    await sleep(100);
    t0 = Date.now();
    r = await ours.cmd("disconnect", 60000);
    wall = Date.now() - t0;
    ok(r.ok, "disconnect with an open document during a stall returns");
    ok(wall <= 2 * TIMEOUT + 4000, `... within two timeouts plus a margin (${wall} ms)`);
    cont();
    r = await ours.quit();
    is(r.code, 0, "the driver exits cleanly", JSON.stringify(r) + ours.stderr.slice(-2000));
    ours = null;
  } finally {
    if (stopped) cont();
    if (ours) await ours.quit();
    await server.stop();
  }
}

main()
  .catch((e) => ok(false, "the test ran to its end", e.stack))
  .finally(() => process.exit(done()));
