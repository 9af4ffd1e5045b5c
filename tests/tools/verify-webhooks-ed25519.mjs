// Verifies ed25519 ("v1a") webhook deliveries as a receiver would, with
// node's own crypto: the npm standardwebhooks library (1.1.1) verifies only
// the HMAC "v1" entries. Reads JSON lines from stdin:
//   {"publicKey":"whpk_…","id":"…","timestamp":"…","signature":"v1a,… v1,…","body":"…"}
// A delivery verifies when one of its "v1a," entries is the ed25519
// signature of id.timestamp.body by the public key (the raw 32 bytes in
// base64 after "whpk_") and its timestamp is within 5 minutes, as the
// Standard Webhooks libraries allow. Prints "verified N" and exits 0 when
// every line verifies; otherwise names the first that does not and exits 1.
import { createPublicKey, verify } from "node:crypto";
import { createInterface } from "node:readline";

const TOLERANCE_S = 5 * 60;

function publicKey(text) {
  if (!text.startsWith("whpk_")) throw new Error("the public key is not whpk_…");
  const raw = Buffer.from(text.slice(5), "base64");
  if (raw.length !== 32) throw new Error("the public key is not 32 bytes");
  return createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") },
    format: "jwk",
  });
}

function check(d) {
  const key = publicKey(d.publicKey);
  const age = Math.abs(Date.now() / 1000 - Number(d.timestamp));
  if (!(age <= TOLERANCE_S)) throw new Error(`timestamp ${d.timestamp} is too old or new`);
  const message = Buffer.from(`${d.id}.${d.timestamp}.${d.body}`, "utf8");
  for (const entry of (d.signature ?? "").split(" ")) {
    const [version, signature] = entry.split(",", 2);
    if (version !== "v1a" || !signature) continue;
    if (verify(null, message, key, Buffer.from(signature, "base64"))) return;
  }
  throw new Error("no v1a signature verifies with the public key");
}

let verified = 0;
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const d = JSON.parse(line);
  try {
    check(d);
  } catch (e) {
    console.error(`delivery ${d.id} does not verify: ${e.message}`);
    process.exit(1);
  }
  verified++;
}
console.log(`verified ${verified}`);
