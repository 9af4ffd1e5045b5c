// Verifies webhook deliveries with the Standard Webhooks reference library,
// as a municipal receiver would. Reads JSON lines from stdin:
//   {"secret":"whsec_…","id":"…","timestamp":"…","signature":"v1,…","body":"…"}
// Prints "verified N" and exits 0 when every line verifies; otherwise names
// the first that does not and exits 1.
import { createInterface } from "node:readline";
import { Webhook } from "standardwebhooks";

let verified = 0;
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const d = JSON.parse(line);
  try {
    new Webhook(d.secret).verify(d.body, {
      "webhook-id": d.id,
      "webhook-timestamp": d.timestamp,
      "webhook-signature": d.signature,
    });
  } catch (e) {
    console.error(`delivery ${d.id} does not verify: ${e.message}`);
    process.exit(1);
  }
  verified++;
}
console.log(`verified ${verified}`);
