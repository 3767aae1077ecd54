// common.mjs - what the tests/client/*.mjs scripts share: a meshroomd
// with the built-in schemas, tokens for one room, SDK clients, and the
// html documents both clients edit (the SDK side's JSON form, in the same
// shape our client renders).
import path from "path";
import { M, connect, diag, mintToken, startServer, top, within } from "../server/lib.mjs";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// meshroomd seeded with the schemas of the source tree.
export function startRoomServer(opts = {}) {
  return startServer({
    ...opts,
    args: ["--schemas", path.join(top, "schemas"), ...(opts.args ?? [])],
  });
}

export async function token(server, room, name = "tester") {
  return await mintToken({ secret: server.secret, room, name });
}

// An SDK RoomClient of room (through `via`, e.g. a proxy, when given).
export async function sdkClient(server, room, { name = "sdk", via } = {}) {
  return await connect(via ?? server, room, await token(server, room, name));
}

// A new html document with n p elements of classes "x0".."x<n-1>".
export function htmlDoc(classes = ["x"]) {
  return {
    html: { children: [{ body: { children: classes.map((c) => ({ p: { class: c } })) } }] },
  };
}

// The JSON form of a live SDK html document (same shape as describe).
export function sdkJson(doc) {
  const el = (e) => {
    const o = {};
    const cls = e.getAttribute("class");
    if (cls !== undefined && cls !== null) o.class = cls;
    if (e.tagName !== "p") o.children = e.getChildren().map(el);
    return { [e.tagName]: o };
  };
  return { html: { children: doc.root.getChildren().map(el) } };
}

// The p classes of an html document JSON, in order.
export function classes(json) {
  const out = [];
  for (const body of json?.html?.children ?? [])
    for (const p of body.body?.children ?? []) out.push(p.p?.class);
  return out;
}

// Polls fn (sync or async) until it returns a true value; false after ms.
export async function until(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    let v;
    try {
      v = await fn();
    } catch {
      v = false;
    }
    if (v) return true;
    if (Date.now() > end) {
      diag(`gave up waiting for ${what}`);
      return false;
    }
    await sleep(25);
  }
}

export async function sdkDescribe(room, p) {
  const r = await within(
    10000,
    room.invoke({ toolkit: "sync", tool: "describe", input: { path: p, schema_path: null } }),
    `describe ${p}`,
  );
  return r.json;
}

export { M };
