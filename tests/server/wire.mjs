// wire.mjs - the MeshAgent packet framing and packed payloads (spec §3,
// §4), written independently of src/proto, for the node tests and
// benchmarks that speak the protocol themselves (raw.mjs, the server
// benchmark's lean client).
export function u64(n) {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

export function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

// The packets of message id: a header packet, then 1024-byte data slices.
export function packets(id, type, data) {
  const count = Math.ceil(data.length / 1024);
  const out = [Buffer.concat([u64(id), u32(0), u32(count), Buffer.from(type)])];
  for (let i = 0; i < count; i++)
    out.push(Buffer.concat([u64(id), u32(i + 1), data.subarray(i * 1024, (i + 1) * 1024)]));
  return out;
}

// A packed payload: header (JSON, or a string sent as is) and tail.
export function pack(header, tail = Buffer.alloc(0)) {
  const h = Buffer.from(typeof header === "string" ? header : JSON.stringify(header));
  return Buffer.concat([u64(h.length), h, tail]);
}

export function unpack(data) {
  const len = Number(data.readBigUInt64BE(0));
  return [JSON.parse(data.subarray(8, 8 + len).toString()), data.subarray(8 + len)];
}
