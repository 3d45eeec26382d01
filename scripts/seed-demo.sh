#!/usr/bin/env bash
# The microservices example against a running Amebo, end to end: registers the example's applications, actions and
# subscriptions, publishes, and checks that a local receiver got every delivery, signed. Exits non-zero otherwise.
#   AMEBO_URL=http://localhost:3310 AMEBO_ADMIN_TOKEN=... scripts/seed-demo.sh
# Needs curl and python3 (the receiver and the signature check use only Python's standard library).
set -euo pipefail

A="${AMEBO_URL:-http://localhost:3310}"
ADMIN="Authorization: Bearer ${AMEBO_ADMIN_TOKEN:?set AMEBO_ADMIN_TOKEN}"
JSON='Content-Type: application/json'
RECEIVER_PORT="${RECEIVER_PORT:-39000}"
WORK="$(mktemp -d)"
trap 'kill "${RECEIVER_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# A webhook handler: records every delivery and answers 204.
python3 - "$RECEIVER_PORT" "$WORK/deliveries" <<'PY' &
import http.server, json, sys
port, out = int(sys.argv[1]), sys.argv[2]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body.decode()}
        with open(out, "a") as f:
            f.write(json.dumps(record) + "\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
PY
RECEIVER_PID=$!
H="http://127.0.0.1:$RECEIVER_PORT"

call() { # method path auth body
  local status
  status=$(curl -sS -o "$WORK/response" -w '%{http_code}' -X "$1" "$A$2" -H "$3" -H "$JSON" ${4:+-d "$4"})
  if [[ "$status" != 2* ]]; then
    echo "$1 $2 answered $status: $(cat "$WORK/response")" >&2
    exit 1
  fi
}

call POST /v1/applications "$ADMIN" '{"application": "user-service", "address": "https://users.myapp.com", "secret": "user-service-secret"}'
call POST /v1/applications "$ADMIN" '{"application": "order-service", "address": "https://orders.myapp.com", "secret": "order-service-secret"}'
call POST /v1/applications "$ADMIN" "{\"application\": \"email-service\", \"address\": \"$H\", \"secret\": \"email-service-secret\"}"
call POST /v1/applications "$ADMIN" "{\"application\": \"analytics-service\", \"address\": \"$H\", \"secret\": \"analytics-service-secret\"}"

USER="Authorization: Basic $(printf 'user-service:user-service-secret' | base64)"
ORDER="Authorization: Basic $(printf 'order-service:order-service-secret' | base64)"
EMAIL="Authorization: Basic $(printf 'email-service:email-service-secret' | base64)"
ANALYTICS="Authorization: Basic $(printf 'analytics-service:analytics-service-secret' | base64)"

call POST /v1/actions "$USER" '{"action": "user.created", "application": "user-service",
  "schemata": {"type": "object", "properties": {"user_id": {"type": "string"}, "email": {"type": "string", "format": "email"},
  "name": {"type": "string"}, "plan": {"type": "string", "enum": ["free", "premium"]}}, "required": ["user_id", "email", "name"]}}'
call POST /v1/actions "$ORDER" '{"action": "order.placed", "application": "order-service",
  "schemata": {"type": "object", "properties": {"order_id": {"type": "string"}, "user_id": {"type": "string"},
  "items": {"type": "array"}, "total": {"type": "number"}, "currency": {"type": "string"}}, "required": ["order_id", "user_id", "items", "total"]}}'
call POST /v1/subscriptions "$EMAIL" '{"application": "email-service", "subscription": "welcome-emails", "action": "user.created", "handler": "/webhooks/user-created"}'
call POST /v1/subscriptions "$ANALYTICS" '{"application": "analytics-service", "subscription": "user-analytics", "action": "user.created", "handler": "/webhooks/events"}'
call POST /v1/subscriptions "$ANALYTICS" '{"application": "analytics-service", "subscription": "order-analytics", "action": "order.placed", "handler": "/webhooks/events"}'

call POST /v1/events "$USER" '{"action": "user.created", "payload": {"user_id": "u1", "email": "test@example.com", "name": "Test User", "plan": "free"}}'
call POST /v1/events "$ORDER" '{"action": "order.placed", "payload": {"order_id": "o1", "user_id": "u1", "items": [{"sku": "s1"}], "total": 9.5, "currency": "EUR"}}'

# user.created goes to welcome-emails and user-analytics, order.placed to order-analytics: three signed deliveries
for _ in $(seq 1 60); do
  [[ -f "$WORK/deliveries" && $(wc -l < "$WORK/deliveries") -ge 3 ]] && break
  sleep 0.5
done
python3 - "$WORK/deliveries" <<'PY'
import base64, hashlib, hmac, json, sys
secrets = {"welcome-emails": "email-service-secret", "user-analytics": "analytics-service-secret",
           "order-analytics": "analytics-service-secret"}
deliveries = [json.loads(line) for line in open(sys.argv[1])]
seen = set()
for d in deliveries:
    h, body = d["headers"], d["body"]
    subscription = h["x-amebo-subscription"]
    signed = f'{h["webhook-id"]}.{h["webhook-timestamp"]}.{body}'.encode()
    expected = "v1," + base64.b64encode(hmac.new(secrets[subscription].encode(), signed, hashlib.sha256).digest()).decode()
    assert expected in h["webhook-signature"].split(" "), f"bad signature for {subscription}"
    envelope = json.loads(body)
    assert envelope["id"] == h["webhook-id"] and envelope["subscription"] == subscription
    seen.add((subscription, envelope["action"]))
want = {("welcome-emails", "user.created"), ("user-analytics", "user.created"), ("order-analytics", "order.placed")}
assert seen == want, f"deliveries seen: {sorted(seen)}"
print(f"seed demo: {len(deliveries)} signed deliveries verified: {sorted(seen)}")
PY
