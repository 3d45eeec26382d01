#!/usr/bin/env bash
# Deliveries verified by the official Standard Webhooks library (npm `standardwebhooks`), as a receiver written in
# another language would verify them, against a running Amebo:
#   - a subscriber with a generated `whsec_...` secret: the library takes the secret exactly as Amebo showed it;
#   - a subscriber with a plain secret: the library takes `whsec_` + base64(UTF-8 bytes of the secret)
#     (or the secret itself with {format: "raw"}), both checked.
# A delivery the library refuses, or one that never arrives, fails the script.
#   AMEBO_URL=http://localhost:3310 AMEBO_ADMIN_TOKEN=... scripts/standard-webhooks-check.sh
# Needs curl, python3, node and npm (it installs the library into a temporary directory).
set -euo pipefail

A="${AMEBO_URL:-http://localhost:3310}"
ADMIN="Authorization: Bearer ${AMEBO_ADMIN_TOKEN:?set AMEBO_ADMIN_TOKEN}"
JSON='Content-Type: application/json'
PORT="${SWH_RECEIVER_PORT:-39001}"
WORK="$(mktemp -d)"
trap 'kill "${RECEIVER_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

npm install --silent --no-audit --no-fund --prefix "$WORK" standardwebhooks@1.1.1 > /dev/null
SUFFIX="$(date +%s)"
GENERATED="swh-generated-$SUFFIX"
PLAIN="swh-plain-$SUFFIX"
PLAIN_SECRET="a-plain-secret-of-$SUFFIX"

call() { # method path auth body -> response body on stdout
  local status
  status=$(curl -sS -o "$WORK/response" -w '%{http_code}' -X "$1" "$A$2" -H "$3" -H "$JSON" ${4:+-d "$4"})
  if [[ "$status" != 2* ]]; then
    echo "$1 $2 answered $status: $(cat "$WORK/response")" >&2
    exit 1
  fi
  cat "$WORK/response"
}
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

H="http://127.0.0.1:$PORT"
GENERATED_SECRET=$(call POST /v1/applications "$ADMIN" "{\"application\": \"$GENERATED\", \"address\": \"$H\"}" | field secret)
[[ "$GENERATED_SECRET" == whsec_* ]] || { echo "a generated secret should start with whsec_: $GENERATED_SECRET" >&2; exit 1; }
call POST /v1/applications "$ADMIN" "{\"application\": \"$PLAIN\", \"address\": \"$H\", \"secret\": \"$PLAIN_SECRET\"}" > /dev/null
PUBLISHER="swh-publisher-$SUFFIX"
call POST /v1/applications "$ADMIN" "{\"application\": \"$PUBLISHER\", \"address\": \"https://publisher.example\"}" > /dev/null
ACTION="swh.checked.$SUFFIX"
call POST /v1/actions "$ADMIN" "{\"action\": \"$ACTION\", \"application\": \"$PUBLISHER\", \"schemata\": {\"type\": \"object\"}}" > /dev/null
call POST /v1/subscriptions "$ADMIN" "{\"application\": \"$GENERATED\", \"subscription\": \"$GENERATED\", \"action\": \"$ACTION\", \"handler\": \"/generated\"}" > /dev/null
call POST /v1/subscriptions "$ADMIN" "{\"application\": \"$PLAIN\", \"subscription\": \"$PLAIN\", \"action\": \"$ACTION\", \"handler\": \"/plain\"}" > /dev/null

# The receiver: verifies every delivery with the library and records what it found; answers 204, or 400 if refused.
cat > "$WORK/receiver.js" <<'JS'
const http = require("http");
const fs = require("fs");
const { Webhook } = require("standardwebhooks");
const [port, out, generatedSecret, plainSecret] = process.argv.slice(2);
const verifiers = {
  "/generated": [["whsec as shown", new Webhook(generatedSecret)]],
  "/plain": [
    ["whsec_ + base64(secret)", new Webhook("whsec_" + Buffer.from(plainSecret, "utf8").toString("base64"))],
    ["raw format", new Webhook(plainSecret, { format: "raw" })],
  ],
};
http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const results = (verifiers[req.url] || []).map(([how, wh]) => {
      try {
        const envelope = wh.verify(body, req.headers);
        return { how, ok: true, id: envelope.id };
      } catch (e) {
        return { how, ok: false, error: String(e) };
      }
    });
    fs.appendFileSync(out, JSON.stringify({ path: req.url, results }) + "\n");
    res.writeHead(results.length > 0 && results.every((r) => r.ok) ? 204 : 400);
    res.end();
  });
}).listen(Number(port), "127.0.0.1");
JS
NODE_PATH="$WORK/node_modules" node "$WORK/receiver.js" "$PORT" "$WORK/verified" "$GENERATED_SECRET" "$PLAIN_SECRET" &
RECEIVER_PID=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "$H/" -X POST -d '' 2>/dev/null && break; sleep 0.1; done
rm -f "$WORK/verified"

call POST /v1/events "$ADMIN" "{\"action\": \"$ACTION\", \"payload\": {\"text\": \"héllo ✓\", \"n\": 1}}" > /dev/null
for _ in $(seq 1 60); do
  [[ -f "$WORK/verified" && $(wc -l < "$WORK/verified") -ge 2 ]] && break
  sleep 0.5
done
python3 - "$WORK/verified" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])] if __import__("os").path.exists(sys.argv[1]) else []
paths = {l["path"]: l["results"] for l in lines}
assert set(paths) == {"/generated", "/plain"}, f"deliveries seen: {lines}"
for path, results in paths.items():
    assert results and all(r["ok"] for r in results), f"{path}: the library refused: {results}"
print("standard webhooks: verified by npm standardwebhooks 1.1.1:",
      "; ".join(f"{p} ({', '.join(r['how'] for r in rs)})" for p, rs in sorted(paths.items())))
PY
