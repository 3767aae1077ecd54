// driver.mjs - runs tests/client/client-driver (our C client, libclient)
// as a child process and talks to it one command line at a time: each
// command gets exactly one JSON line back (see client-driver.c).  Used by
// the interop, reconnect, stall and byte compatibility tests and the
// client benchmark, next to an SDK RoomClient doing the same.
//
// Environment: CLIENT_DRIVER (default
// $abs_top_builddir/tests/client/client-driver).
import { spawn } from "child_process";
import path from "path";
import readline from "readline";
import { build, within } from "../server/lib.mjs";

export const driverPath =
  process.env.CLIENT_DRIVER || path.join(build, "tests/client/client-driver");

const drivers = new Set();
// node-test.sh bounds a script's run with timeout(1): a SIGTERM exits
// through the "exit" handlers, which kill our drivers and lib.mjs's servers.
process.on("SIGTERM", () => {
  process.stdout.write("Bail out! killed by SIGTERM (timeout)\n");
  process.exit(1);
});
process.on("exit", () => {
  for (const d of drivers) {
    try {
      d.proc.kill("SIGKILL");
    } catch {}
  }
});

export class Driver {
  constructor({ env = {} } = {}) {
    this.proc = spawn(driverPath, [], {
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.stderr = "";
    this.proc.stderr.on("data", (d) => {
      this.stderr += d;
      if (this.stderr.length > 100000) this.stderr = this.stderr.slice(-50000);
    });
    this.waiting = [];
    this.exited = new Promise((res) =>
      this.proc.on("exit", (code, signal) => {
        drivers.delete(this);
        for (const w of this.waiting.splice(0))
          w.rej(
            new Error(
              `client-driver exited (${code ?? signal}) during '${w.line}': ${this.stderr.slice(-2000)}`,
            ),
          );
        res({ code, signal });
      }),
    );
    this.proc.stdin.on("error", () => {});
    readline.createInterface({ input: this.proc.stdout }).on("line", (l) => {
      const w = this.waiting.shift();
      if (!w) return;
      try {
        w.res(JSON.parse(l));
      } catch (e) {
        w.rej(new Error(`client-driver: bad reply to '${w.line}': ${l}`));
      }
    });
    drivers.add(this);
  }

  // The reply of one command (an object with ok, errno, err, ms, ...).
  // Commands run one at a time in the driver: replies come in order.
  cmd(line, ms = 30000) {
    const p = new Promise((res, rej) => {
      this.waiting.push({ line, res, rej });
    });
    this.proc.stdin.write(line + "\n");
    return within(ms, p, `client-driver '${line.slice(0, 80)}'`);
  }

  // The same, throwing when the command failed.
  async do(line, ms) {
    const r = await this.cmd(line, ms);
    if (!r.ok)
      throw new Error(`client-driver '${line.slice(0, 80)}': ${r.errno}: ${r.err}`);
    return r;
  }

  // quit, waiting (bounded) for the exit; SIGKILL as a last resort.
  async quit(ms = 20000) {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null)
      return await this.exited;
    try {
      this.proc.stdin.write("quit\n");
      this.proc.stdin.end();
      return await within(ms, this.exited, "client-driver to exit");
    } catch (e) {
      this.proc.kill("SIGKILL");
      await this.exited;
      return { code: null, signal: "SIGKILL", timeout: true };
    }
  }
}

// A connected driver (connect with the given timeout / backoff), or throws.
export async function connectDriver(url, token, { timeout, backoff } = {}) {
  const d = new Driver();
  let line = `connect ${url} ${token}`;
  if (timeout !== undefined) line += ` ${timeout}`;
  if (backoff) line += ` ${backoff[0]} ${backoff[1]}`;
  try {
    await d.do(line);
  } catch (e) {
    await d.quit();
    throw e;
  }
  return d;
}
