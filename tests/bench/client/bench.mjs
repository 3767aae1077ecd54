// bench.mjs - the room client benchmark (issue 5 §4), run by
// tests/bench/run-client.sh: our client (libclient through
// tests/client/client-driver) and the TypeScript SDK 0.39.9 do the same
// work against the same meshroomd, one after the other: open-describe-close
// round trips of one document, and 1 MB uploads and downloads.  Each figure
// is the median of REPS batches; our timings are taken inside the driver
// (no pipe to node in them).  Prints "name ours sdk unit" lines.
//
// Environment: abs_top_builddir (the build with meshroomd and
// client-driver), REPS (default 5), ODC (round trips per batch, default
// 200), XFER (transfers per batch, default 5).
import fs from "fs";
import os from "os";
import path from "path";
import { within } from "../../server/lib.mjs";
import { htmlDoc, sdkClient, sdkDescribe, sleep, startRoomServer, token } from "../../client/common.mjs";
import { Driver } from "../../client/driver.mjs";

process.on("unhandledRejection", () => {});
const out = (s) => process.stdout.write(s + "\n");
const REPS = Number(process.env.REPS || 5);
const ODC = Number(process.env.ODC || 200);
const XFER = Number(process.env.XFER || 5);
const MB = 1 << 20;
const ROOM = "bench";

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1];
};

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main() {
  const server = await startRoomServer();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "client-bench-"));
  let ours;
  try {
    const sdk = await sdkClient(server, ROOM);
    ours = new Driver();
    await ours.do(`connect ${server.wsUrl(ROOM)} ${await token(server, ROOM, "ours")} 30000`);
    const doc = htmlDoc(Array.from({ length: 20 }, (_, i) => `p${i}`));
    await within(10000, sdk.sync.create("sdk.html", doc), "create");
    await within(10000, sdk.sync.create("ours.html", doc), "create");
    const data = Buffer.alloc(MB);
    for (let i = 0; i < MB; i++) data[i] = (i * 131 + (i >> 10)) & 0xff;
    const file = path.join(tmp, "1mb.bin");
    fs.writeFileSync(file, data);

    const sdkOdc = async (n) => {
      for (let i = 0; i < n; i++) {
        await sdk.sync.open("sdk.html", { create: false });
        await sdkDescribe(sdk, "sdk.html");
        await sdk.sync.close("sdk.html");
      }
    };
    const sdkUp = async (n) => {
      for (let i = 0; i < n; i++) await sdk.storage.upload("sdk.bin", data, { overwrite: true });
    };
    const sdkDown = async (n) => {
      for (let i = 0; i < n; i++) {
        const f = await sdk.storage.download("sdk.bin");
        if (f.data.length !== MB) throw new Error(`SDK download: ${f.data.length} bytes`);
      }
    };
    const oursMs = async (cmd) => (await ours.do(cmd, 600000)).ms;

    // warm-up (JIT, first-open costs on the server)
    await sdkOdc(20);
    await oursMs("bench-odc ours.html 20");
    await sdkUp(1);
    await oursMs(`bench-up ours.bin ${file} 1`);
    await sdkDown(1);
    await oursMs("bench-down ours.bin 1");

    const res = { odc: [[], []], up: [[], []], down: [[], []] };
    for (let r = 0; r < REPS; r++) {
      res.odc[0].push(await oursMs(`bench-odc ours.html ${ODC}`));
      res.odc[1].push(await timed(() => sdkOdc(ODC)));
      res.up[0].push(await oursMs(`bench-up ours.bin ${file} ${XFER}`));
      res.up[1].push(await timed(() => sdkUp(XFER)));
      res.down[0].push(await oursMs(`bench-down ours.bin ${XFER}`));
      res.down[1].push(await timed(() => sdkDown(XFER)));
      await sleep(50);
    }
    const rate = (n, ms) => (n * 1000) / ms;
    out(`odc ${rate(ODC, median(res.odc[0])).toFixed(1)} ${rate(ODC, median(res.odc[1])).toFixed(1)} round-trips/s`);
    out(`upload ${rate(XFER, median(res.up[0])).toFixed(2)} ${rate(XFER, median(res.up[1])).toFixed(2)} MB/s`);
    out(`download ${rate(XFER, median(res.down[0])).toFixed(2)} ${rate(XFER, median(res.down[1])).toFixed(2)} MB/s`);
    sdk.dispose();
    await ours.quit();
    ours = null;
  } finally {
    if (ours) await ours.quit();
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench.mjs: ${e.stack}\n`);
    process.exit(1);
  },
);
