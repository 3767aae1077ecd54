// ywebsocket-server.mjs - the y-websocket server (@y/websocket-server's
// setupWSConnection, what its own bin/server.js runs; no persistence) for
// run-server.sh.  Listens on 127.0.0.1 at a free port and prints the port
// on stdout.  SIGUSR2 runs a full GC (node --expose-gc).
import http from "http";
import { WebSocketServer } from "ws";
import { setupWSConnection } from "@y/websocket-server/utils";

const wss = new WebSocketServer({ noServer: true });
wss.on("connection", setupWSConnection);
const server = http.createServer((_req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end("okay");
});
server.on("upgrade", (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req)),
);
server.listen(0, "127.0.0.1", () =>
  process.stdout.write(`${server.address().port}\n`),
);
process.on("SIGUSR2", () => globalThis.gc?.());
process.on("SIGTERM", () => process.exit(0));
