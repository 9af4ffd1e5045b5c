#!/usr/bin/env bash
# `./samhand backup` and `./samhand restore` carry a partnership to another
# cluster: a stack's data (an organisation, a committee, a meeting
# published, a deviation) backed up while it runs, restored into an empty
# cluster, is served the same through the gateway; what was written after
# the backup is gone with its events, consistently; and the followers go on
# from the offsets in the dump: a new write is numbered right after the
# restored outbox's last event and applied by deviation and notify once,
# with no event replayed and none lost. Restore refuses a database that is
# not empty unless told --replace.
set -euo pipefail

ROOT=${SAMHAND_SOURCE_DIR:?run by ./samhand test}
BIN=${SAMHAND_BUILD_DIR:?run by ./samhand test}
WORK=$(mktemp -d /tmp/samhand-backup-test.XXXXXX)
chmod 755 "$WORK"
export SAMHAND_BIN_DIR="$BIN" SAMHAND_REPLICAS=1
unset SAMHAND_DATABASE_URL
# shellcheck source=launcher_helpers.sh
. "$ROOT/tests/integration/launcher_helpers.sh"

fail() {
  echo "FAIL: $*" >&2
  echo "--- up's output" >&2; cat "$WORK"/up*.out >&2 || true
  tail -n 5 "$WORK"/*/log/*.log >&2 || true
  exit 1
}

export SAMHAND_HTTP_PORT; SAMHAND_HTTP_PORT=$(free_port)
export SAMHAND_PG_PORT; SAMHAND_PG_PORT=$(free_port)
URL="http://127.0.0.1:$SAMHAND_HTTP_PORT"

UP=
stop_up() {
  [ -z "$UP" ] || kill -TERM "$UP" 2>/dev/null || true
  [ -z "$UP" ] || wait "$UP" 2>/dev/null || true
  UP=
  "$ROOT/samhand" down >/dev/null 2>&1 || true
}
cleanup() {
  stop_up
  SAMHAND_VAR_DIR="$WORK/old" "$ROOT/samhand" down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

start_up() { # NAME: up on the var directory WORK/NAME
  "$ROOT/samhand" up >"$WORK/up-$1.out" 2>&1 &
  UP=$!
  wait_for 90 grep -q 'samhand is running' "$WORK/up-$1.out" || fail "up did not come up on $1"
  KEY=$(cat "$SAMHAND_VAR_DIR/admin-key")
}
call() { # METHOD PATH [BODY]: the body of the answer; fails unless 2xx
  local out status
  out=$(curl -sS -w '\n%{http_code}' -X "$1" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' ${3:+-d "$3"} "$URL$2") || fail "$1 $2 failed"
  status=${out##*$'\n'}
  [[ $status == 2* ]] || fail "$1 $2 answered $status: ${out%$'\n'*}"
  printf '%s' "${out%$'\n'*}"
}
id_of() { jq -er '.id // .meeting.id'; }
status_of() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$URL$1"; }

# every outbox published, and each follower at its source's last event
settled() {
  [ "$(sql "SELECT NOT EXISTS (SELECT 1 FROM agenda.outbox_stream WHERE published_seq IS NULL)
    AND NOT EXISTS (SELECT 1 FROM deviation.outbox_stream WHERE published_seq IS NULL)
    AND (SELECT max(published_seq) FROM agenda.outbox_stream) =
      (SELECT last_sequence FROM deviation.consumer_offsets WHERE source = 'agenda')
    AND (SELECT max(published_seq) FROM agenda.outbox_stream) =
      (SELECT last_sequence FROM notify.consumer_offsets WHERE source = 'agenda')
    AND (SELECT coalesce(max(published_seq), 0) FROM deviation.outbox_stream) =
      (SELECT coalesce(max(last_sequence), 0) FROM notify.consumer_offsets WHERE source = 'deviation')")" = t ]
}
# each source's events applied by notify once each, numbered 1..n in order
once_each() {
  [ "$(sql "SELECT bool_and(ok) FROM (
      SELECT (SELECT count(*) FROM $1.outbox) = count(*) AND bool_and(source_sequence = n) AS ok
      FROM (SELECT source_sequence, row_number() OVER (ORDER BY seq) AS n FROM notify.events
        WHERE source = '$1') e) x")" = t ]
}

# --- the first stack: data, a backup while it runs, a write after it ---
export SAMHAND_VAR_DIR="$WORK/old"
start_up old
org=$(call POST /v1/organizations '{"name":"Backup kommune","organizationNumber":"974760673","kind":"MUNICIPALITY"}' | id_of)
hospital=$(call POST /v1/organizations '{"name":"Backup helseforetak","organizationNumber":"983974724","kind":"HOSPITAL_TRUST"}' | id_of)
committee=$(call POST /v1/committees '{"name":"Administrativt samarbeidsutvalg","shortName":"ASU","kind":"ADMINISTRATIVE"}' | id_of)
meeting=$(call POST /v1/meetings "{\"committeeId\":\"$committee\",\"startTime\":\"2031-03-04T09:00:00+01:00\",\"endTime\":\"2031-03-04T13:00:00+01:00\",\"place\":\"Sykehuset\"}" | id_of)
call POST "/v1/meetings/$meeting/items" '{"kind":"CASE","title":"Sak om samhandling","description":"Oppfølging av tjenesteavtalen.","durationMin":15}' >/dev/null
call POST "/v1/meetings/$meeting/publish" >/dev/null
wait_for 20 eval '[ "$(sql "SELECT count(*) FROM deviation.organizations")" = 2 ]' ||
  fail "deviation did not learn the organisations"
body=$(sed -e "s/@REPORTING@/$org/" -e "s/@RECEIVING@/$hospital/" "$ROOT/tests/bench/deviation.json")
deviation=$(call POST /v1/deviations "$body" | id_of)
wait_for 20 settled || fail "the first stack did not settle"
paths=("/v1/organizations/$org" "/v1/committees/$committee" "/v1/meetings/$meeting" "/v1/deviations/$deviation")
declare -A before
for p in "${paths[@]}"; do before[$p]=$(call GET "$p" | jq -S .); done
agenda_last=$(sql 'SELECT max(published_seq) FROM agenda.outbox_stream')
deviation_last=$(sql 'SELECT max(published_seq) FROM deviation.outbox_stream')
[ "$deviation_last" -ge 1 ] || fail "the deviation made no event"

"$ROOT/samhand" backup "$WORK/samhand.dump" 2>"$WORK/backup.err" || fail "backup failed: $(cat "$WORK/backup.err")"
[ "$(stat -c %a "$WORK/samhand.dump")" = 600 ] || fail "the dump is readable by others"

# after the backup: gone with the restore, its events with it
late=$(call POST /v1/organizations '{"name":"Etter backup kommune","organizationNumber":"964965226","kind":"MUNICIPALITY"}' | id_of)
wait_for 20 settled || fail "the first stack did not settle after the late write"
[ "$(sql 'SELECT max(published_seq) FROM agenda.outbox_stream')" -gt "$agenda_last" ] || fail "the late write made no event"
stop_up
cp "$SAMHAND_VAR_DIR/secret-key" "$WORK/secret-key" # kept apart from the dump

# --- an empty cluster: the dump restored, refused when not empty ---
export SAMHAND_VAR_DIR="$WORK/new"
mkdir -p "$SAMHAND_VAR_DIR"
cp "$WORK/secret-key" "$SAMHAND_VAR_DIR/secret-key"
"$ROOT/samhand" restore "$WORK/samhand.dump" 2>"$WORK/restore.err" || fail "restore failed: $(cat "$WORK/restore.err")"
if "$ROOT/samhand" restore "$WORK/samhand.dump" 2>"$WORK/restore-again.err"; then
  fail "restore into a database that is not empty was not refused"
fi
grep -q 'not empty' "$WORK/restore-again.err" || fail "the refusal does not say why: $(cat "$WORK/restore-again.err")"
"$ROOT/samhand" restore --replace "$WORK/samhand.dump" 2>"$WORK/replace.err" ||
  fail "restore --replace failed: $(cat "$WORK/replace.err")"

start_up new
# the roles the launcher sets up own their schemas, as before
[ "$(sql "SELECT string_agg(nspname || ':' || pg_get_userbyid(nspowner), ',' ORDER BY nspname) FROM pg_namespace
  WHERE nspname IN ('agenda', 'deviation', 'notify')")" = agenda:agenda,deviation:deviation,notify:notify ] ||
  fail "the schemas' owners are not the services' roles"
for p in "${paths[@]}"; do
  [ "$(call GET "$p" | jq -S .)" = "${before[$p]}" ] || fail "GET $p does not answer as before the backup"
done
[ "$(status_of "/v1/organizations/$late")" = 404 ] || fail "the organisation made after the backup is there"
[ "$(sql 'SELECT max(published_seq) FROM agenda.outbox_stream')" = "$agenda_last" ] || fail "agenda's outbox is not the dump's"

# new writes: numbered on from the dump's last event, each applied once
call POST /v1/organizations '{"name":"Etter restore kommune","organizationNumber":"964965226","kind":"MUNICIPALITY"}' >/dev/null
call POST "/v1/deviations/$deviation/acknowledge" '{}' >/dev/null
wait_for 20 settled || fail "the restored stack's followers did not take up the new events:
$(sql 'SELECT source, last_sequence FROM deviation.consumer_offsets UNION ALL SELECT source, last_sequence FROM notify.consumer_offsets')"
[ "$(sql 'SELECT max(published_seq) FROM agenda.outbox_stream')" = $(( agenda_last + 1 )) ] ||
  fail "agenda's new event is not numbered $(( agenda_last + 1 ))"
[ "$(sql 'SELECT max(published_seq) FROM deviation.outbox_stream')" -gt "$deviation_last" ] ||
  fail "the acknowledgement made no event"
once_each agenda || fail "notify did not apply agenda's events once each, in order"
once_each deviation || fail "notify did not apply deviation's events once each, in order"
[ "$(sql 'SELECT count(*) FROM deviation.organizations')" = 3 ] || fail "deviation does not know the 3 organisations"
[ "$(call GET "/v1/deviations/$deviation" | jq -r .state)" != "$(jq -r .state <<<"${before[/v1/deviations/$deviation]}")" ] ||
  fail "the acknowledgement did not change the deviation"
stop_up
grep -l 'Sanitizer' "$WORK"/*/log/*.log && fail "a sanitizer reported"
echo "ok: restored data served the same, the late write gone, followers went on once each"
