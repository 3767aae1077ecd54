// lib.mjs - shared helpers of the meshroomd tests (tests/server/*.mjs):
// TAP output, bounded waits, starting a real meshroomd on a free loopback
// port with a temp data dir and a random secret, minting tokens with the
// SDK's own ParticipantToken, and connecting SDK RoomClients.
//
// Environment: abs_top_srcdir, abs_top_builddir (make check), MESHROOMD
// (default $abs_top_builddir/src/server/meshroomd).
import { createRequire } from "module";
import { spawn } from "child_process";
import crypto from "crypto";
import fs from "fs";
import os from "os";
import path from "path";
import readline from "readline";
import { fileURLToPath } from "url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const top = process.env.abs_top_srcdir || path.resolve(here, "../..");
export const build = process.env.abs_top_builddir || top;
export const meshroomd =
  process.env.MESHROOMD || path.join(build, "src/server/meshroomd");
export const require = createRequire(path.join(top, "tests/node/package.json"));
export const M = require("@meshagent/meshagent");

// The SDK logs chatter on console.log/info/warn: keep stdout for TAP.
const print = (s) => process.stdout.write(s + "\n");
console.log = () => {};
console.info = () => {};
console.warn = () => {};
console.debug = () => {};

// ---- TAP -------------------------------------------------------------
let n = 0;
let failed = 0;
export function ok(cond, name, detail) {
  n++;
  print(`${cond ? "ok" : "not ok"} ${n} - ${name}`);
  if (!cond) {
    failed++;
    if (detail !== undefined)
      for (const l of String(detail).split("\n")) print(`# ${l}`);
  }
  return cond;
}
export function is(got, want, name) {
  return ok(
    Object.is(got, want),
    name,
    `got:  ${JSON.stringify(got)}\nwant: ${JSON.stringify(want)}`,
  );
}
export function same(got, want, name) {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  return ok(g === w, name, `got:  ${g}\nwant: ${w}`);
}
export function diag(s) {
  for (const l of String(s).split("\n")) print(`# ${l}`);
}
export function done() {
  print(`1..${n}`);
  return failed ? 1 : 0;
}

// A promise that fails after ms with a message naming what was awaited.
export function within(ms, promise, what) {
  let t;
  const timeout = new Promise((_, rej) => {
    t = setTimeout(() => rej(new Error(`timeout (${ms} ms): ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(t));
}

// Resolves with the error a promise rejects with (or null if it resolves).
export async function failure(promise, ms = 10000, what = "request") {
  try {
    await within(ms, promise, what);
    return null;
  } catch (e) {
    return e;
  }
}

// ---- server ----------------------------------------------------------
const servers = new Set();
process.on("exit", () => {
  for (const s of servers) {
    try {
      s.proc.kill("SIGKILL");
    } catch {}
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
});

// Starts meshroomd on 127.0.0.1:<free port>; resolves once it listens.
export async function startServer({ args = [], dataDir, secret } = {}) {
  dataDir ??= fs.mkdtempSync(path.join(os.tmpdir(), "meshroomd-test-"));
  secret ??= crypto.randomBytes(24).toString("base64url");
  const proc = spawn(
    meshroomd,
    ["--listen", "127.0.0.1:0", "--data", dataDir, "--print-port", ...args],
    {
      env: { ...process.env, MESHAGENT_SECRET: secret },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  proc.stderr.on("data", (d) => {
    stderr += d;
    if (stderr.length > 100000) stderr = stderr.slice(-50000);
  });
  const exited = new Promise((res) =>
    proc.on("exit", (code, signal) => res({ code, signal })),
  );
  const lines = readline.createInterface({ input: proc.stdout });
  const first = new Promise((res, rej) => {
    lines.once("line", (l) => res(l));
    exited.then((e) =>
      rej(new Error(`meshroomd exited (${JSON.stringify(e)}): ${stderr}`)),
    );
  });
  const port = Number(await within(10000, first, "meshroomd to listen"));
  const s = {
    proc,
    port,
    dataDir,
    secret,
    exited,
    stderr: () => stderr,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: (room) => `ws://127.0.0.1:${port}/rooms/${room}`,
    // SIGTERM, wait for the exit (bounded), SIGKILL as a last resort.
    async stop({ keepData = false } = {}) {
      if (proc.exitCode === null && proc.signalCode === null)
        proc.kill("SIGTERM");
      let e;
      try {
        e = await within(10000, exited, "meshroomd to exit");
      } catch (err) {
        proc.kill("SIGKILL");
        e = await exited;
      }
      servers.delete(s);
      if (!keepData) fs.rmSync(dataDir, { recursive: true, force: true });
      return e;
    },
  };
  servers.add(s);
  return s;
}

// ---- tokens and clients ---------------------------------------------
// A token minted by the SDK: room grant + ApiScope.agentDefault(), with
// optional storage path grants and expiry.
export async function mintToken({
  secret,
  room,
  name = "tester",
  storagePaths,
  expiration,
  api = true,
}) {
  const t = new M.ParticipantToken({ name });
  t.addRoomGrant(room);
  t.addRoleGrant("user");
  if (api) {
    const scope = M.ApiScope.agentDefault();
    if (storagePaths)
      scope.storage = new M.StorageGrant({
        paths: storagePaths.map((p) => new M.StoragePathGrant(p)),
      });
    t.addApiGrant(scope);
  }
  return await t.toJwt({ token: secret, expiration });
}

// A started RoomClient (room.start() resolved), or throws.
export async function connect(server, room, jwt, ms = 10000) {
  const client = new M.RoomClient({
    protocolFactory: M.WebSocketClientProtocol.createFactory({
      url: server.wsUrl(room),
      token: jwt,
    }),
  });
  await within(ms, client.start(), `room.start of ${room}`);
  return client;
}

// Resolves with the next room event named `name` whose fields match.
export function nextEvent(client, name, match = () => true, ms = 10000) {
  return within(
    ms,
    new Promise((res) => {
      const cb = (ev) => {
        if (match(ev)) {
          client.off?.(name, cb);
          res(ev);
        }
      };
      client.on(name, cb);
    }),
    `event '${name}'`,
  );
}
