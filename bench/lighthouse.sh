#!/usr/bin/env bash
# Lighthouse (mobile: an emulated mid-range phone, simulated slow 4G) on the sign-in page and, signed in as the
# demo direct-payment holder, the budget page, with Debian's Chromium; the app served by gunicorn as in
# production, on a fresh SQLite database with the demo data. Lighthouse comes from the npm registry into a
# temporary folder (nothing is added to the project). Prints each page's scores and timings.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
port="${PORT:-5055}"
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --silent lighthouse@12 >/dev/null)
export DATABASE_URL="sqlite:///$work/db.sqlite" SECRET_KEY="lighthouse-$$" UPLOAD_DIR="$work/uploads"
.venv/bin/flask --app app db upgrade >/dev/null 2>&1
.venv/bin/flask --app app demo-data >/dev/null
BIND="127.0.0.1:$port" WEB_CONCURRENCY=2 .venv/bin/gunicorn -c deploy/gunicorn.conf.py -p "$work/pid" app:app \
  >"$work/gunicorn.log" 2>&1 &
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"
token=$(curl -s -c "$work/jar" "$base/sign-in" | grep -o 'name="csrf_token" type="hidden" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -s -b "$work/jar" -c "$work/jar" -o /dev/null --data-urlencode "csrf_token=$token" \
  --data-urlencode "email=dp.holder@example.org" --data-urlencode "password=demo-password" "$base/sign-in"
cookie="session=$(awk '$6 == "session" {print $7}' "$work/jar")"
budget=$(curl -s -b "$cookie" "$base/" | grep -o 'href="/budgets/[0-9]*"' | head -1 | grep -o '[0-9]*')
run() {
  CHROME_PATH=/usr/bin/chromium "$work/node_modules/.bin/lighthouse" "$2" --quiet \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" \
    --only-categories=performance,accessibility,best-practices --output=json --output-path="$work/$1.json" "${@:3}"
  python3 - "$work/$1.json" "$1" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
a = report["audits"]
print(f"{sys.argv[2]:<12} performance {scores['performance']}, accessibility {scores['accessibility']}, "
      f"best practices {scores['best-practices']}; FCP {a['first-contentful-paint']['displayValue']}, "
      f"LCP {a['largest-contentful-paint']['displayValue']}, TBT {a['total-blocking-time']['displayValue']}, "
      f"{a['total-byte-weight']['numericValue'] / 1024:.1f} KiB")
PY
}
run sign-in "$base/sign-in"
run budget "$base/budgets/$budget" --extra-headers "{\"Cookie\":\"$cookie\"}"
