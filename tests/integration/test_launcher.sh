#!/usr/bin/env bash
# `./samhand up` supervises what it starts: with two replicas of each
# service in a throwaway var directory, every process it started is killed
# with SIGKILL and each is started again (logged, with a backoff), the
# database keeps running, /readyz is back to 200, and the writes made
# meanwhile are published once each and reach the followers in order.
# `./samhand down` then stops all of it, the database last. The whole
# administrator key is never printed.
set -euo pipefail

ROOT=${SAMHAND_SOURCE_DIR:?run by ./samhand test}
BIN=${SAMHAND_BUILD_DIR:?run by ./samhand test}
WORK=$(mktemp -d /tmp/samhand-launcher-test.XXXXXX)
chmod 755 "$WORK"
export SAMHAND_VAR_DIR="$WORK/var" SAMHAND_BIN_DIR="$BIN" SAMHAND_REPLICAS=2
unset SAMHAND_DATABASE_URL
# shellcheck source=launcher_helpers.sh
. "$ROOT/tests/integration/launcher_helpers.sh"

fail() {
  echo "FAIL: $*" >&2
  echo "--- up's output" >&2; cat "$WORK/up.out" >&2 || true
  tail -n 5 "$SAMHAND_VAR_DIR"/log/*.log >&2 || true
  exit 1
}

export SAMHAND_HTTP_PORT; SAMHAND_HTTP_PORT=$(free_port)
export SAMHAND_PG_PORT; SAMHAND_PG_PORT=$(free_port)
URL="http://127.0.0.1:$SAMHAND_HTTP_PORT"

UP=
cleanup() {
  [ -z "$UP" ] || kill -TERM "$UP" 2>/dev/null || true
  [ -z "$UP" ] || wait "$UP" 2>/dev/null || true
  "$ROOT/samhand" down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ready() { [ "$(curl -s -o /dev/null -w "%{http_code}" "$URL/readyz" || true)" = 200 ]; }

"$ROOT/samhand" up >"$WORK/up.out" 2>&1 &
UP=$!
wait_for 120 grep -q 'samhand is running' "$WORK/up.out" || fail "up did not come up"
KEY=$(cat "$SAMHAND_VAR_DIR/admin-key")
grep -qF "$KEY" "$WORK/up.out" && fail "up printed the whole administrator key"
ready || fail "/readyz is not 200 after up"
# the cluster is local, so the services reach it over its Unix socket
# (a backend of a socket's client has no client address)
[ "$(sql "SELECT count(*) FILTER (WHERE client_addr IS NULL) || ' of ' || count(*) FROM pg_stat_activity
          WHERE usename IN ('agenda', 'deviation', 'notify')")" = "$(sql "SELECT count(*) || ' of ' || count(*)
          FROM pg_stat_activity WHERE usename IN ('agenda', 'deviation', 'notify')")" ] ||
  fail "a service reaches the local database over TCP"
[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE usename IN ('agenda', 'deviation', 'notify')")" -gt 0 ] ||
  fail "no service is connected to the database"

# organisation numbers with a valid mod-11 check digit
org_number() {
  local base=$1 weights=(3 2 7 6 5 4 3 2) sum=0 i
  for i in 0 1 2 3 4 5 6 7; do sum=$(( sum + ${base:i:1} * weights[i] )); done
  local check=$(( 11 - sum % 11 ))
  [ "$check" -eq 11 ] && check=0
  [ "$check" -eq 10 ] && return 1
  echo "$base$check"
}
made=0
post_organizations() { # COUNT: each one answered 201, a few tries each
  local n=$1 base=$(( 91000000 + made * 7 )) posted=0 number
  while [ "$posted" -lt "$n" ]; do
    base=$(( base + 1 ))
    number=$(org_number "$base") || continue
    local status=
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" \
        -H 'Content-Type: application/json' -H "Idempotency-Key: org-$number" \
        -d "{\"name\":\"Kommune $number\",\"organizationNumber\":\"$number\",\"kind\":\"MUNICIPALITY\"}" \
        "$URL/v1/organizations") || true
      [ "$status" = 201 ] && break
      sleep 0.5
    done
    [ "$status" = 201 ] || fail "POST /v1/organizations answered $status"
    posted=$(( posted + 1 ))
    made=$(( made + 1 ))
  done
}
post_organizations 10

# every process up started, killed: each comes back under a new pid
declare -A before
for f in "$SAMHAND_VAR_DIR"/run/*.pid; do
  name=$(basename "$f" .pid)
  case $name in up | *.supervisor) continue ;; esac
  before[$name]=$(cat "$f")
done
[ "${#before[@]}" -eq 7 ] || fail "expected 7 processes (2 replicas of 3 services and the gateway), got ${#before[@]}"
for name in "${!before[@]}"; do kill -KILL "${before[$name]}"; done
post_organizations 10 # while they come back
restarted() {
  local name
  for name in "${!before[@]}"; do
    local pid; pid=$(cat "$SAMHAND_VAR_DIR/run/$name.pid" 2>/dev/null) || return 1
    [ "$pid" != "${before[$name]}" ] && kill -0 "$pid" 2>/dev/null || return 1
  done
}
wait_for 30 restarted || fail "not every killed process was started again"
wait_for 30 ready || fail "/readyz did not come back to 200"
kill -0 "$UP" || fail "up exited when its children died"
sql 'SELECT 1' >/dev/null || fail "PostgreSQL stopped when the children died"
for name in "${!before[@]}"; do
  grep -q "$name (pid ${before[$name]}) exited on signal 9; starting it again" \
    "$SAMHAND_VAR_DIR/log/launcher.log" || fail "no log line of $name's restart"
done

# one replica killed again, at once: the other answers meanwhile
kill -KILL "$(cat "$SAMHAND_VAR_DIR/run/agenda-0.pid")"
post_organizations 10

# every event published once, numbered without a gap, and applied by each
# follower once and in the order of the numbers
published() {
  [ "$(sql "SELECT count(*) = count(DISTINCT published_seq) AND count(*) = max(published_seq)
    AND count(*) >= $made FROM agenda.outbox_stream")" = t ]
}
wait_for 30 published || fail "agenda's outbox is not published once each without gaps:
$(sql 'SELECT count(*), count(published_seq), count(DISTINCT published_seq), max(published_seq) FROM agenda.outbox_stream')"
applied() {
  [ "$(sql "SELECT (SELECT count(*) FROM agenda.outbox) = (SELECT count(*) FROM notify.events
      WHERE source = 'agenda')
    AND (SELECT bool_and(source_sequence = n) FROM (SELECT source_sequence,
      row_number() OVER (ORDER BY seq) AS n FROM notify.events WHERE source = 'agenda') e)
    AND (SELECT last_sequence FROM deviation.consumer_offsets WHERE source = 'agenda') =
      (SELECT max(published_seq) FROM agenda.outbox_stream)
    AND (SELECT count(*) FROM deviation.organizations) = $made")" = t ]
}
wait_for 30 applied || fail "the followers did not apply every event once and in order"
# and `queues` says where each follower is: at the end, none behind or stuck
last=$(sql 'SELECT max(published_seq) FROM agenda.outbox_stream')
queues_at_end() {
  "$ROOT/samhand" queues >"$WORK/queues.out" 2>&1 &&
    grep -qx "consumer: deviation follows agenda, at event $last, 0 behind" "$WORK/queues.out" &&
    grep -qx "consumer: notify follows agenda, at event $last, 0 behind" "$WORK/queues.out"
}
wait_for 30 queues_at_end || fail "queues does not show the followers at event $last:
$(cat "$WORK/queues.out")"
ready || fail "/readyz is not 200 at the end"

# down: up stops, its services and the database with it
after=$(cat "$SAMHAND_VAR_DIR"/run/*.pid)
"$ROOT/samhand" down >/dev/null 2>&1 || fail "down failed"
wait_for 30 eval '! kill -0 "$UP" 2>/dev/null' || fail "up did not stop on down"
wait "$UP" || fail "up exited with status $?"
UP=
sql 'SELECT 1' >/dev/null 2>&1 && fail "PostgreSQL still runs after down"
for pid in $after; do
  kill -0 "$pid" 2>/dev/null && fail "pid $pid still runs after down"
done
grep -l 'Sanitizer' "$SAMHAND_VAR_DIR"/log/*.log && fail "a sanitizer reported"
echo "ok: killed processes came back, events once and in order, down stopped everything"
