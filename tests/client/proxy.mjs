// proxy.mjs - a recording WebSocket proxy between a room client and
// meshroomd, for the byte compatibility test: every binary frame in both
// directions is forwarded unchanged and logged with its direction, and
// decode() turns a log back into protocol messages (spec §3, §4): type,
// message id, the size of each packet, the packed JSON header as text (key
// order kept) and the binary tail.
import http from "http";
import { require } from "../server/lib.mjs";

const { WebSocket, WebSocketServer } = require("ws");

// Starts a proxy on a free loopback port forwarding to target (ws://host:port).
// proxy.log is an array of {dir: "c2s"|"s2c"|"mark", conn, data, name}; a
// test calls proxy.mark(name) between steps to cut the log into phases.
export async function startProxy(target) {
  const log = [];
  const sockets = new Set();
  let conns = 0;
  const server = http.createServer((req, res) => {
    res.writeHead(404);
    res.end();
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on("upgrade", (req, socket, head) => {
    const conn = ++conns;
    const headers = {};
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const up = new WebSocket(target + req.url, { headers, perMessageDeflate: false });
    sockets.add(up);
    let down = null;
    const early = [];
    up.on("unexpected-response", (_req, res) => {
      socket.end(`HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n\r\n`);
      up.terminate();
    });
    up.on("error", () => {
      if (down) down.terminate();
      else socket.destroy();
    });
    up.on("open", () => {
      wss.handleUpgrade(req, socket, head, (ws) => {
        down = ws;
        sockets.add(ws);
        ws.on("message", (data, isBinary) => {
          log.push({ dir: "c2s", conn, data: Buffer.from(data), binary: isBinary });
          if (up.readyState === WebSocket.OPEN) up.send(data, { binary: isBinary });
        });
        ws.on("close", (code) => {
          sockets.delete(ws);
          if (up.readyState === WebSocket.OPEN) up.close(code === 1005 ? 1000 : code);
        });
        ws.on("error", () => up.terminate());
        for (const [data, isBinary] of early.splice(0))
          ws.send(data, { binary: isBinary });
      });
    });
    up.on("message", (data, isBinary) => {
      log.push({ dir: "s2c", conn, data: Buffer.from(data), binary: isBinary });
      if (down) down.send(data, { binary: isBinary });
      else early.push([data, isBinary]);
    });
    up.on("close", (code) => {
      sockets.delete(up);
      if (down && down.readyState === WebSocket.OPEN)
        down.close(code === 1005 || code === 1006 ? 1000 : code);
    });
  });
  await new Promise((res) => server.listen(0, "127.0.0.1", res));
  const port = server.address().port;
  return {
    port,
    log,
    wsUrl: (room) => `ws://127.0.0.1:${port}/rooms/${room}`,
    mark(name) {
      log.push({ dir: "mark", name });
    },
    async stop() {
      for (const s of sockets) s.terminate();
      wss.close();
      await new Promise((res) => server.close(res));
    },
  };
}

const u32 = (b, o) => b.readUInt32BE(o);
const u64 = (b, o) => u32(b, o) * 2 ** 32 + u32(b, o + 4);

// Decodes the frames of one direction of one connection into messages:
// {dir, id, type, packets: [sizes of the whole frames], data, header (JSON
// text of the packed header, or null), json (parsed), tail (Buffer), errors}.
// Marks pass through as {dir: "mark", name}.
export function decode(frames) {
  const out = [];
  const cur = {};
  for (const f of frames) {
    if (f.dir === "mark") {
      out.push({ dir: "mark", name: f.name });
      continue;
    }
    const b = f.data;
    const key = `${f.conn}/${f.dir}`;
    if (!f.binary || b.length < 12) {
      out.push({ dir: f.dir, conn: f.conn, errors: [`a non-binary or short frame (${b.length} bytes)`] });
      continue;
    }
    const id = u64(b, 0);
    const index = u32(b, 8);
    if (index === 0) {
      if (b.length < 16) {
        out.push({ dir: f.dir, conn: f.conn, errors: ["a header packet under 16 bytes"] });
        continue;
      }
      const m = {
        dir: f.dir,
        conn: f.conn,
        id,
        type: b.subarray(16).toString("utf8"),
        count: u32(b, 12),
        packets: [b.length],
        parts: [],
        errors: [],
      };
      if (cur[key] && cur[key].parts.length < cur[key].count)
        m.errors.push(`message ${cur[key].type} #${cur[key].id} cut short by a new header`);
      cur[key] = m;
      out.push(m);
    } else {
      const m = cur[key];
      if (!m || m.id !== id || index !== m.parts.length + 1) {
        out.push({ dir: f.dir, conn: f.conn, errors: [`data packet ${index} of #${id} out of order`] });
        continue;
      }
      m.packets.push(b.length);
      m.parts.push(b.subarray(12));
    }
  }
  for (const m of out) {
    if (!m.parts) continue;
    m.data = Buffer.concat(m.parts);
    delete m.parts;
    if (m.packets.length - 1 !== m.count)
      m.errors.push(`${m.packets.length - 1} data packets, header says ${m.count}`);
    // 1024-byte slices: every data packet but the last carries 1024 bytes.
    for (let i = 1; i < m.packets.length - 1; i++)
      if (m.packets[i] !== 12 + 1024)
        m.errors.push(`data packet ${i} carries ${m.packets[i] - 12} bytes, not 1024`);
    m.header = null;
    m.tail = Buffer.alloc(0);
    if (m.data.length >= 8) {
      const len = u64(m.data, 0);
      if (8 + len <= m.data.length) {
        m.header = m.data.subarray(8, 8 + len).toString("utf8");
        m.tail = m.data.subarray(8 + len);
        try {
          m.json = JSON.parse(m.header);
        } catch {
          m.errors.push(`the packed header is not JSON: ${m.header.slice(0, 80)}`);
        }
      } else {
        m.errors.push(`packed header length ${len} > ${m.data.length - 8}`);
      }
    }
  }
  return out;
}
