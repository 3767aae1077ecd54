// hocuspocus-server.mjs - a plain Hocuspocus 4.x server (no extension, no
// persistence: its defaults) for run-server.sh.  Listens on 127.0.0.1 at a
// free port and prints the port on stdout.  SIGUSR2 runs a full GC (node
// --expose-gc) so that the memory figure counts live objects, not garbage.
import { Server } from "@hocuspocus/server";

const server = new Server({
  address: "127.0.0.1",
  port: 0,
  quiet: true,
  stopOnSignals: true,
});
await server.listen();
process.on("SIGUSR2", () => globalThis.gc?.());
process.stdout.write(`${server.address.port}\n`);
