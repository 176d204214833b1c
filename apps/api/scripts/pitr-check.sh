#!/usr/bin/env bash
# Rehearses docs/DEPLOY.md's PostgreSQL backups on a private, throw-away cluster (127.0.0.1:55433,
# under /tmp): WAL archiving, a base backup with pg_basebackup, a mistake, and point-in-time
# recovery to just before it; then pg_dump / pg_restore. Run as root (the cluster runs as the
# postgres user) or as that user. Stops and removes what it started on exit.
#
#   apps/api/scripts/pitr-check.sh
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d /tmp/ms-pitr-XXXXXX)
chmod 755 "$work"
port=55433
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg() { as_pg "$bin/$1" "${@:2}"; }
q() { psql -h 127.0.0.1 -p $port -U postgres -d "${DB:-minsheng}" -qAtc "$1"; }
cleanup() {
  pg pg_ctl -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/wal" "$work/app" && chown postgres "$work" "$work/wal" 2>/dev/null || true
pg initdb -D "$work/data" -A trust -U postgres >/dev/null
cat >>"$work/data/postgresql.conf" <<EOF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $work/wal/%f && cp %p $work/wal/%f'
EOF
pg pg_ctl -D "$work/data" -l "$work/pg.log" -w start >/dev/null
DB=postgres q "CREATE DATABASE minsheng"

# A small generated province, loaded as the platform loads one.
DATABASE_URL=postgres://postgres@127.0.0.1:$port/minsheng DATA_DIR=$work/app node "$root/apps/api/scripts/gen-province.mjs" --small | tail -1
echo "before: $(q 'SELECT count(*) FROM feedback') suggestions"

pg pg_basebackup -h 127.0.0.1 -p $port -U postgres -D "$work/base" -Ft -z -Xs
echo "base backup: $(ls "$work/base" | tr '\n' ' ')"

# Later work, then a mistake; recover to the moment between them.
q "UPDATE feedback SET state = 'answered', answer = '已办理' WHERE state = 'open'"
sleep 1
target=$(q "SELECT now()")
sleep 1
q "DELETE FROM feedback"
q "SELECT pg_switch_wal()" >/dev/null
sleep 2   # the archiver copies the finished segment
echo "after the mistake: $(q 'SELECT count(*) FROM feedback') suggestions; recovering to $target"

pg pg_ctl -D "$work/data" -m fast stop >/dev/null
mv "$work/data" "$work/data.broken"
as_pg mkdir -m 700 "$work/data"
as_pg tar -xzf "$work/base/base.tar.gz" -C "$work/data"
as_pg tar -xzf "$work/base/pg_wal.tar.gz" -C "$work/data/pg_wal"
cat >>"$work/data/postgresql.conf" <<EOF
restore_command = 'cp $work/wal/%f %p'
recovery_target_time = '$target'
recovery_target_action = 'promote'
EOF
as_pg touch "$work/data/recovery.signal"
pg pg_ctl -D "$work/data" -l "$work/pg.log" -w start >/dev/null
for i in $(seq 1 30); do [ "$(q 'SELECT pg_is_in_recovery()')" = f ] && break; sleep 1; done
echo "recovered: $(q 'SELECT count(*) FROM feedback') suggestions, $(q "SELECT count(*) FROM feedback WHERE state = 'open'") still open (the update before the target kept)"

# The nightly logical dump and its restore.
pg_dump -Fc -f "$work/minsheng.dump" postgres://postgres@127.0.0.1:$port/minsheng
DB=postgres q "CREATE ROLE minsheng LOGIN PASSWORD 'change-me'"
createdb -h 127.0.0.1 -p $port -U postgres -O minsheng minsheng_restored
pg_restore --no-owner --role=minsheng -d postgres://postgres@127.0.0.1:$port/minsheng_restored "$work/minsheng.dump"
echo "pg_restore: $(DB=minsheng_restored q 'SELECT count(*) FROM feedback') suggestions, $(DB=minsheng_restored q 'SELECT count(*) FROM users') accounts, tables owned by $(DB=minsheng_restored q "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")"

# The platform's own backup (database + files) of the live database, checked, restored elsewhere.
ops="$root/apps/api/dist/ops.js"
DATABASE_URL=postgres://postgres@127.0.0.1:$port/minsheng DATA_DIR=$work/app node "$ops" backup "$work/ms-backup"
node "$ops" verify "$work/ms-backup"
DB=postgres q "CREATE DATABASE minsheng_ops"
DATABASE_URL=postgres://postgres@127.0.0.1:$port/minsheng_ops DATA_DIR=$work/app-restored node "$ops" restore "$work/ms-backup"
echo "ops restore: $(DB=minsheng_ops q 'SELECT count(*) FROM feedback') suggestions, $(find "$work/app-restored/files" -type f | wc -l) files"
