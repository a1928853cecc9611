// sdk_js_driver.mjs: the AWS SDK for JavaScript v3 (@aws-sdk/client-ecr) for python/ecrconform_sdk.py
// (docs/SDK.md). One JSON request per stdin line, one JSON answer per stdout line, in order:
//   {"endpoint", "op": "BatchDeleteImage", "input": {...}, "maxAttempts"?: 1, "retryMode"?: "standard"}
//   -> {"ok": true, "output": {...}, "metadata": {httpStatusCode, attempts, ...}}
//    | {"ok": false, "name", "message", "typed": bool, "exported": bool, "metadata": {...}}
// "exported": the package has an exception class of that name; "typed": the error is an instance of it.
// Run from a directory whose node_modules holds the package (NODE_PATH does not apply to ES modules,
// hence createRequire on the working directory).
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import path from "node:path";

const require = createRequire(path.join(process.cwd(), "noop.js"));
const ecr = require("@aws-sdk/client-ecr");
const clients = new Map();

function client(endpoint, maxAttempts, retryMode) {
  const key = `${endpoint} ${maxAttempts} ${retryMode}`;
  if (!clients.has(key))
    clients.set(key, new ecr.ECRClient({
      endpoint, region: "us-east-1", maxAttempts, retryMode,
      credentials: { accessKeyId: "AKIDECRCONFORMTEST01",
                     secretAccessKey: "ecrconform-test-secret-key-not-a-real-one" },
    }));
  return clients.get(key);
}

const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  let answer;
  try {
    const req = JSON.parse(line);
    const Cmd = ecr[`${req.op}Command`];
    if (!Cmd) throw Object.assign(new Error(`no command ${req.op}Command`), { name: "DriverError" });
    const c = client(req.endpoint, req.maxAttempts ?? 1, req.retryMode ?? "standard");
    const out = await c.send(new Cmd(req.input));
    const { $metadata, ...rest } = out;
    answer = { ok: true, output: rest, metadata: $metadata };
  } catch (e) {
    const cls = ecr[e.name];
    answer = { ok: false, name: e.name, message: e.message, exported: typeof cls === "function",
               typed: typeof cls === "function" && e instanceof cls,
               serviceException: e instanceof ecr.ECRServiceException, metadata: e.$metadata ?? null };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
