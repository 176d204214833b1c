#!/usr/bin/env bash
# Rehearses docs/DEPLOY.md's nginx setup on one machine: two API instances on one PostgreSQL
# database behind nginx with TLS (a self-signed certificate), everything on 127.0.0.1.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/province_bench DATA_DIR=/tmp/prov apps/api/scripts/deploy-check.sh
#
# Needs nginx and openssl; the database should hold the generated province (pnpm gen:province),
# whose account staff-430000 signs in. Stops what it started on exit.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL}" "${DATA_DIR:?set DATA_DIR}"
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d /tmp/ms-deploy-check-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT

# The same key on every instance (from configuration, not from DATA_DIR).
export FEEDBACK_KEY=${FEEDBACK_KEY:-$(cat "$DATA_DIR/feedback.key")}
export NODE_ENV=production TRUST_PROXY=1 PUBLIC_BASE_URL=https://ms.example.test:18443 \
  ALLOWED_ORIGINS=https://ms.example.test:18443 SEED=none BACKUP_INTERVAL_HOURS=0 REQUIRE_2FA=off
for port in 18787 18788; do
  HOST=127.0.0.1 PORT=$port node "$root/apps/api/dist/server.js" >"$work/api-$port.log" 2>&1 &
  pids+=($!)
done

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ms.example.test" \
  -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
mkdir -p "$work/logs"
cat >"$work/nginx.conf" <<EOF
pid $work/nginx.pid;
error_log $work/logs/error.log;
events {}
http {
  log_format up '\$remote_addr \$status \$upstream_addr';
  access_log $work/logs/access.log up;
  client_body_temp_path $work/body; proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fcgi; uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
  upstream minsheng_api {
    server 127.0.0.1:18787 max_fails=3 fail_timeout=10s;
    server 127.0.0.1:18788 max_fails=3 fail_timeout=10s;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:18443 ssl http2;
    server_name ms.example.test;
    ssl_certificate $work/tls.crt;
    ssl_certificate_key $work/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    client_max_body_size 210m;
    location / {
      proxy_pass http://minsheng_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_read_timeout 300s;
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}
EOF
nginx -t -c "$work/nginx.conf" -p "$work" 2>&1 | tail -1
nginx -c "$work/nginx.conf" -p "$work"

base=https://ms.example.test:18443
curlx() { curl -sS --cacert "$work/tls.crt" --resolve ms.example.test:18443:127.0.0.1 "$@"; }
for i in $(seq 1 120); do
  curl -fsS http://127.0.0.1:18787/api/v1/health >/dev/null 2>&1 && curl -fsS http://127.0.0.1:18788/api/v1/health >/dev/null 2>&1 && break
  sleep 0.5
done
echo "health through nginx: $(curlx $base/api/v1/health)"

# Sign in over https (the browser's Origin is https://…; the instance sees http://…: ALLOWED_ORIGINS).
code=$(curlx -o "$work/login.json" -w '%{http_code}' -c "$work/cookies" -H "origin: $base" -H 'content-type: application/json' \
  -d '{"username":"staff-430000","password":"minsheng2024"}' $base/api/v1/auth/login)
echo "sign-in: HTTP $code, cookie $(grep -o '__Host-[a-z_]*' "$work/cookies" | head -1)"
code=$(curlx -o /dev/null -w '%{http_code}' -b "$work/cookies" "$base/api/v1/plans/hn2026/progress?period=2026-12&region=430500")
echo "dashboard of 邵阳市 through nginx: HTTP $code"
# A cookie-authenticated write from another origin is refused (CSRF); from ours it is accepted.
code=$(curlx -o /dev/null -w '%{http_code}' -b "$work/cookies" -X POST -H "origin: https://evil.example" $base/api/v1/auth/logout)
echo "cookie-authenticated write (sign-out) with Origin https://evil.example: HTTP $code"
code=$(curlx -o /dev/null -w '%{http_code}' -b "$work/cookies" -X POST -H "origin: $base" $base/api/v1/auth/logout)
echo "cookie-authenticated write (sign-out) with Origin $base: HTTP $code"

# Requests spread over both instances; then one stops and the other answers alone.
for i in $(seq 1 20); do curlx -o /dev/null $base/api/v1/health; done
echo "requests per upstream: $(awk '{print $NF}' "$work/logs/access.log" 2>/dev/null | sort | uniq -c | tr '\n' ' ')"
kill -TERM "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
ok=0; for i in $(seq 1 20); do [ "$(curlx -o /dev/null -w '%{http_code}' $base/api/v1/health)" = 200 ] && ok=$((ok + 1)); done
echo "with 18787 stopped: $ok of 20 health checks answered"
echo "instance log (18788): $(grep -c . "$work/api-18788.log") lines; first: $(head -1 "$work/api-18788.log")"
