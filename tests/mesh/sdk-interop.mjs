// sdk-interop.mjs - MeshDocument (C, through tests/mesh/mesh-driver) against
// the real TypeScript SDK, @meshagent/meshagent 0.39.9 (pinned in
// tests/node), driven offline: a MeshDocument registers with the SDK's
// in-process runtime (runtime.js / entrypoint.js ServerXmlDocument), which
// hands every local Yjs update to sendChangesToBackend and takes remote
// ones through applyBackendChanges.  No room, no network.
//
// Checks (TAP):
//  - documents built by C load in the SDK's document model with the same
//    tree (the SDK mirror, converted to the JSON form, equals C's render);
//  - C's build is byte-identical to the SDK runtime's createNodes for the
//    same ids and client id;
//  - documents built through the SDK's API render in C as the SDK sees them;
//  - updates C produces for edits (merge) apply in the SDK, and SDK edits
//    apply in C, also when both edit concurrently.
//
// Environment: abs_top_srcdir, abs_top_builddir (make check), MESH_DRIVER.
import { createRequire } from "module";
import { spawnSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { fileURLToPath } from "url";

const here = path.dirname(fileURLToPath(import.meta.url));
const top = process.env.abs_top_srcdir || path.resolve(here, "../..");
const build = process.env.abs_top_builddir || top;
const driver =
  process.env.MESH_DRIVER || path.join(build, "tests/mesh/mesh-driver");
const require = createRequire(path.join(top, "tests/node/package.json"));
const M = require("@meshagent/meshagent");
const Y = require("yjs");

// The SDK logs every change it mirrors: keep stdout for TAP.
const print = (s) => process.stdout.write(s + "\n");
console.log = () => {};

let n = 0;
let failed = 0;
function ok(cond, name, detail) {
  n++;
  if (!cond) failed++;
  print(`${cond ? "ok" : "not ok"} ${n} - ${name}`);
  if (!cond && detail) for (const l of String(detail).split("\n")) print("# " + l);
  return cond;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-interop."));
let fileNo = 0;
function tmp(content) {
  const f = path.join(work, `f${fileNo++}`);
  fs.writeFileSync(f, content);
  return f;
}

function run(args, input) {
  const r = spawnSync(driver, args, { input: input ?? "", encoding: "utf8" });
  if (r.status !== 0)
    throw new Error(`mesh-driver ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const schemaFile = (name) => path.join(top, "schemas", name + ".json");
const schemaD = {
  $root_tag_ref: "#/$defs/root",
  $defs: {
    root: { type: "object", additionalProperties: false, required: ["root"], properties: { root: { type: "object", additionalProperties: false, required: ["hello", "children"], properties: { hello: { type: ["string", "null"] }, children: { type: "array", items: { anyOf: [{ $ref: "#/$defs/child" }, { $ref: "#/$defs/text" }] } } } } } },
    child: { type: "object", additionalProperties: false, required: ["child"], properties: { child: { type: "object", additionalProperties: false, required: ["hello", "children"], properties: { hello: { type: ["string", "null"] }, children: { type: "array", items: { anyOf: [{ $ref: "#/$defs/child" }] } } } } } },
    text: { type: "object", additionalProperties: false, required: ["text"], properties: { text: { type: "object", additionalProperties: false, required: ["children", "hello"], properties: { children: { type: "array", items: { anyOf: [{ $ref: "#/$defs/child" }] } }, hello: { type: ["string", "null"] } } } } },
  },
};
const schemas = {};
function schemaOf(name) {
  if (!schemas[name]) {
    const json = name === "D" ? schemaD : JSON.parse(fs.readFileSync(schemaFile(name)));
    const file = name === "D" ? tmp(JSON.stringify(schemaD)) : schemaFile(name);
    // element -> {props: [value prop names in order], child: name|null}
    const els = {};
    for (const def of Object.values(json.$defs)) {
      const [tag, inner] = Object.entries(def.properties)[0];
      const props = [];
      let child = null;
      for (const [pn, p] of Object.entries(inner.properties)) {
        const t = Array.isArray(p.type) ? p.type[0] : p.type;
        if (t === "array") child = pn;
        else props.push(pn);
      }
      els[tag] = { props, child };
    }
    schemas[name] = { json, file, els, root: json.$root_tag_ref.replace("#/$defs/", "") };
  }
  return schemas[name];
}

// ---- the SDK side ------------------------------------------------------

const hex2b64 = (h) => Buffer.from(h.trim(), "hex").toString("base64");
const b642hex = (b) => Buffer.from(b, "base64").toString("hex");

function sdkDoc(name) {
  const sc = schemaOf(name);
  const ups = [];
  const doc = new M.MeshDocument({
    schema: M.MeshSchema.fromJson(sc.json),
    sendChangesToBackend: (b64) => ups.push(b64),
  });
  return { doc, ups, sc };
}

function sdkClientId(doc) {
  // state vector: varuint count, then (client, clock) varuint pairs
  const b = Buffer.from(M.getStateVector(doc.id), "base64");
  let i = 0;
  const varuint = () => {
    let v = 0, m = 1, c;
    do {
      c = b[i++];
      v += (c & 0x7f) * m;
      m *= 128;
    } while (c & 0x80);
    return v;
  };
  return varuint() ? varuint() : null;
}

const canonAttrs = (a) =>
  JSON.stringify(Object.keys(a || {}).sort().map((k) => [k, a[k]]));

function normDelta(delta) {
  const out = [];
  for (const op of delta) {
    if (typeof op.insert !== "string") {
      out.push({ insert: op.insert, attributes: op.attributes || {} });
      continue;
    }
    if (op.insert === "") continue;
    const last = out[out.length - 1];
    if (last && typeof last.insert === "string" && canonAttrs(last.attributes) === canonAttrs(op.attributes))
      last.insert += op.insert;
    else out.push({ insert: op.insert, attributes: { ...(op.attributes || {}) } });
  }
  return out;
}

// The texts of the SDK runtime's Yjs state ($id of the "text" element ->
// delta), read with yjs 13.6.33 (the version the SDK bundles).  The SDK's
// own mirror is not used for texts: it drops the formatting of inserted
// text (RuntimeDocument.receiveChanges; spec document.md §7.2).
function yTexts(sdk) {
  const ydoc = new Y.Doc();
  Y.applyUpdate(ydoc, Buffer.from(M.getState(sdk.doc.id, null), "base64"));
  const map = {};
  const walk = (el) => {
    for (let c = el.firstChild; c; c = c.nextSibling) {
      if (!(c instanceof Y.XmlElement)) continue;
      if (c.nodeName === "text" && c.firstChild instanceof Y.XmlText)
        map[c.getAttribute("$id")] = normDelta(c.firstChild.toDelta());
      walk(c);
    }
  };
  walk(ydoc.get("xml", Y.XmlElement));
  return map;
}

// The SDK's mirror of the document, in meshfs's JSON form (spec §3,
// document.md): schema order, child property last, text nodes PY style.
function mirrorJson(sdk, ids) {
  const { sc } = sdk;
  const texts = yTexts(sdk);
  const conv = (el, isRoot) => {
    const et = sc.els[el.tagName];
    const out = {};
    if (ids && !isRoot && el.attributes.$id !== undefined) out.$id = el.attributes.$id;
    for (const p of et.props)
      if (Object.prototype.hasOwnProperty.call(el.attributes, p)) out[p] = el.attributes[p];
    if (et.child) {
      out[et.child] = [];
      for (const c of el.children) {
        if (c instanceof M.TextElement) {
          if (el.tagName === "text")
            out[et.child].push({ text: { delta: texts[el.attributes.$id] ?? normDelta(c.delta) } });
        } else out[et.child].push({ [c.tagName]: conv(c, false) });
      }
    }
    return out;
  };
  return { [sc.root]: conv(sdk.doc.root, true) };
}

const sdkState = (sdk) => b642hex(M.getState(sdk.doc.id, null));

// The SDK runtime's node descriptors for createNodes, from document JSON.
function nodesOf(sc, kids) {
  return kids.map((k) => {
    const tag = Object.keys(k)[0];
    const v = k[tag];
    if (tag === "text" && Array.isArray(v.delta)) return { text: { delta: v.delta } };
    const et = sc.els[tag];
    const attributes = {};
    if (v.$id !== undefined) attributes.$id = v.$id;
    for (const [a, val] of Object.entries(v)) if (a !== "$id" && a !== et.child) attributes[a] = val;
    let children = et.child && v[et.child] ? nodesOf(sc, v[et.child]) : [];
    if (tag === "text" && !children.some((c) => c.text)) children = [{ text: { delta: [] } }, ...children];
    return { element: { name: tag, attributes, children } };
  });
}

// ---- tests -------------------------------------------------------------

const samples = {
  html: { html: { children: [{ body: { $id: "b1", children: [{ p: { $id: "p1", class: "content" }}, { p: { $id: "p2" }}] } }] } },
  document: { document: { content: [
    { heading: { $id: "h", text: "Quarterly report" } },
    { body: { $id: "b", text: "Revenue grew **12%**. é😀" } },
    { file: { $id: "f", name: "chart.png" } }] } },
  thread: { thread: { properties: [
    { members: { $id: "m0", items: [{ member: { $id: "m1", name: "alice" } }] } },
    { messages: { $id: "m2", items: [
      { message: { $id: "m3", id: "m1", text: "Can you summarise the PDF?", created_at: "2025-01-01T10:00:00Z", author_name: "alice", role: "user", attachments: [{ file: { $id: "f1", path: "docs/report.pdf" } }] } },
      { exec: { $id: "e1", exit_code: 2.5, command: "ls" } }] } }] } },
  D: { root: { children: [
    { child: { $id: "c1", hello: "world", children: [{ child: { $id: "c2", hello: "nested", children: [] } }] } },
    { text: { $id: "t1", hello: "x", children: [{ text: { delta: [{ insert: "hello", attributes: { bold: true } }, { insert: " world!" }] } }] } },
    { text: { $id: "t2", children: [] } }] } },
};

function sameJson(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// 1. C builds, the SDK loads; 2. byte parity with createNodes
for (const [name, json] of Object.entries(samples)) {
  const sc = schemaOf(name);
  const docFile = tmp(JSON.stringify(json));
  const sdk = sdkDoc(name);
  const state = run(["build", sc.file, docFile, "7"]);
  M.applyBackendChanges(sdk.doc.id, hex2b64(state));
  const cRender = JSON.parse(run(["render", sc.file, "ids"], state));
  ok(sameJson(mirrorJson(sdk, true), cRender),
     `${name}: a document built by C loads in the SDK with the same tree`,
     `sdk:  ${JSON.stringify(mirrorJson(sdk, true))}\nC:    ${JSON.stringify(cRender)}`);
  ok(sdk.ups.length === 1 && b642hex(sdk.ups[0]) === state.trim(),
     `${name}: the SDK's replica re-emits C's update unchanged`);

  const sdk2 = sdkDoc(name);
  const kids = json[sc.root][sc.els[sc.root].child];
  M.applyChanges({ documentID: sdk2.doc.id, changes: [{ nodeID: null, insertChildren: { children: nodesOf(sc, kids) } }] });
  const client = sdkClientId(sdk2.doc);
  const cSame = run(["build", sc.file, docFile, String(client)]).trim();
  ok(sdk2.ups.length === 1 && b642hex(sdk2.ups[0]) === cSame,
     `${name}: C's build is byte-identical to the SDK runtime's createNodes (client ${client})`,
     `sdk: ${sdk2.ups.map(b642hex).join(" ")}\nC:   ${cSame}`);
}

// 3. built through the SDK's API, rendered in C
const sdk = sdkDoc("D");
{
  const root = sdk.doc.root;
  const c1 = root.createChildElement("child", { hello: "a" }, { id: "c1" });
  c1.createChildElement("child", { hello: "b" }, { id: "c2" });
  const t = root.createChildElement("text", { hello: "t" }, { id: "t1" });
  t.children[0].insert(0, "hello world", {});
  t.children[0].format(0, 5, { bold: true });
  t.children[0].insert(11, " 😀!", { italic: true });
  t.children[0].delete(5, 1);
  root.createChildElementAt(0, "child", { hello: "first" }, { id: "c0" });
  c1.setAttribute("hello", "A");
  const gone = root.createChildElement("child", {}, { id: "gone" });
  gone.delete();
}
const sdkHex = sdkState(sdk);
const cFromSdk = JSON.parse(run(["render", schemaOf("D").file, "ids"], sdkHex));
ok(sameJson(cFromSdk, mirrorJson(sdk, true)),
   "SDK-built document (elements, attributes, formatted text, deletes) renders in C as the SDK sees it",
   `sdk: ${JSON.stringify(mirrorJson(sdk, true))}\nC:   ${JSON.stringify(cFromSdk)}`);
ok(run(["validate", schemaOf("D").file], sdkHex) === "",
   "SDK-built document is valid at level R");

// 4. C's merge updates apply in the SDK
{
  const edited = structuredClone(cFromSdk);
  const kids = edited.root.children;
  kids[0].child.hello = "FIRST";                         // attribute
  kids[1].child.children.push({ child: { hello: "new" } }); // insert
  kids[2].text.children[0].text.delta = [                 // text edit
    { insert: "hel", attributes: { bold: true } },
    { insert: "p! wor", attributes: {} },
    { insert: "ld 😀!?", attributes: { italic: true } }];
  for (const k of kids) delete (Object.values(k)[0]).$id; // a file without ids
  const out = run(["merge", schemaOf("D").file, tmp(JSON.stringify(edited)), "99"], sdkHex).split("\n");
  const upd = out[0];
  const cAfter = JSON.parse(out.slice(1).join("\n"));
  ok(upd !== "-", "C merge produced one update");
  M.applyBackendChanges(sdk.doc.id, hex2b64(upd));
  ok(sameJson(mirrorJson(sdk, true), cAfter),
     "C's merge update applies in the SDK: same tree on both sides",
     `sdk: ${JSON.stringify(mirrorJson(sdk, true))}\nC:   ${JSON.stringify(cAfter)}`);
  const viaState = JSON.parse(run(["render", schemaOf("D").file, "ids"], sdkState(sdk)));
  ok(sameJson(viaState, cAfter), "the SDK's Yjs state after the merge renders in C as C's document");
}

// 5. concurrent: the SDK edits while C merges from an older state
{
  const before = sdkState(sdk);
  const base = JSON.parse(run(["render", schemaOf("D").file, "ids"], before));
  const nUps = sdk.ups.length;
  sdk.doc.root.getNodeByID("c0").setAttribute("hello", "sdk was here");
  const t1 = sdk.doc.root.getNodeByID("t1");
  t1.children[0].insert(0, ">> ", {});
  const sdkUpdates = sdk.ups.slice(nUps).map(b642hex);
  const edited = structuredClone(base);
  const kids = edited.root.children;
  kids[kids.length - 1 >= 3 ? 3 : 1].child && (kids[1].child.hello = "c edit");
  kids[2].text.children[0].text.delta.push({ insert: " <<", attributes: {} });
  const out = run(["merge", schemaOf("D").file, tmp(JSON.stringify(edited)), "99", tmp(JSON.stringify(base))], before).split("\n");
  M.applyBackendChanges(sdk.doc.id, hex2b64(out[0]));
  const cFinal = JSON.parse(run(["render", schemaOf("D").file, "ids"], [before, out[0], ...sdkUpdates].join("\n")));
  ok(sameJson(cFinal, mirrorJson(sdk, true)),
     "concurrent SDK and C edits converge (C applies the SDK's updates, the SDK applies C's)",
     `sdk: ${JSON.stringify(mirrorJson(sdk, true))}\nC:   ${JSON.stringify(cFinal)}`);
  const k = cFinal.root.children;
  ok(k[0].child.hello === "sdk was here" && k[1].child.hello === "c edit" &&
     k[2].text.children[0].text.delta.map((o) => o.insert).join("").startsWith(">> ") &&
     k[2].text.children[0].text.delta.map((o) => o.insert).join("").endsWith(" <<"),
     "both sides' edits are kept");
}

fs.rmSync(work, { recursive: true, force: true });
print(`1..${n}`);
process.exit(failed ? 1 : 0);
