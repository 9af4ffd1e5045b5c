#!/usr/bin/env bash
# The compose stack for real: the images `./samhand images` built, started
# by podman-compose from docker-compose.yml as a partnership would, each
# container healthy by its own health check (the binaries' `healthcheck`,
# the gateway's /readyz), then a short story through the gateway (an
# organisation, a committee, a meeting published, a deviation submitted
# and read back). A stopped service makes the gateway unready (503) and
# ready again once it is started. The images run as a non-root user; their
# sizes are printed. Skips (77) where podman or the images are missing.
set -euo pipefail

ROOT=${SAMHAND_SOURCE_DIR:?run by ./samhand test}
# shellcheck source=../integration/launcher_helpers.sh
. "$ROOT/tests/integration/launcher_helpers.sh"
skip() { echo "SKIP: $*"; exit 77; }
fail() {
  echo "FAIL: $*" >&2
  for c in $(podman ps -a --filter "label=io.podman.compose.project=$PROJECT" --format '{{.Names}}' 2>/dev/null); do
    echo "--- $c" >&2; podman logs --tail 15 "$c" >&2 2>&1 || true
  done
  exit 1
}

command -v podman >/dev/null || skip "podman is not installed (./samhand images installs it)"
command -v podman-compose >/dev/null || skip "podman-compose is not installed (./samhand images installs it)"
export CONTAINERS_CONF="$ROOT/docker/containers.conf"
IMAGES=(postgres:15 agenda:latest deviation:latest notify:latest gateway:latest)
for i in "${IMAGES[@]}"; do
  podman image exists "localhost/samhand-$i" || skip "no image localhost/samhand-$i: run ./samhand images"
done

PROJECT=samhand-test-$$
COMPOSE=(podman-compose -p "$PROJECT" -f "$ROOT/docker-compose.yml")
WORK=$(mktemp -d /tmp/samhand-containers.XXXXXX)
cleanup() {
  "${COMPOSE[@]}" down -v >"$WORK/down.log" 2>&1 || true
  podman volume rm -f "${PROJECT}_pgdata" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- the images: not root, and how big ---
for i in "${IMAGES[@]}"; do
  user=$(podman image inspect --format '{{.Config.User}}' "localhost/samhand-$i")
  case "$user" in ""|root|0|0:*) fail "localhost/samhand-$i runs as root" ;; esac
  echo "image localhost/samhand-$i: $(podman image inspect --format '{{.Size}}' "localhost/samhand-$i" |
    awk '{printf "%.0f MB", $1 / 1e6}'), user $user"
done

# --- the deployment's secrets, made as the README says ---
KEY=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export SAMHAND_ADMIN_KEY_SHA256; SAMHAND_ADMIN_KEY_SHA256=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)
export SAMHAND_SECRET_KEY; SAMHAND_SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export SAMHAND_DB_PASSWORD; SAMHAND_DB_PASSWORD=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
read -r SAMHAND_CURVE_SERVER_PUBLIC SAMHAND_CURVE_SERVER_SECRET < <(podman run --rm localhost/samhand-gateway:latest --curve-keypair)
read -r SAMHAND_CURVE_CLIENT_PUBLIC SAMHAND_CURVE_CLIENT_SECRET < <(podman run --rm localhost/samhand-gateway:latest --curve-keypair)
export SAMHAND_CURVE_SERVER_PUBLIC SAMHAND_CURVE_SERVER_SECRET SAMHAND_CURVE_CLIENT_PUBLIC SAMHAND_CURVE_CLIENT_SECRET
[ ${#SAMHAND_CURVE_SERVER_PUBLIC} = 40 ] || fail "--curve-keypair in the gateway image gave no key"
export SAMHAND_HTTP_PORT; SAMHAND_HTTP_PORT=$(free_port)
URL="http://127.0.0.1:$SAMHAND_HTTP_PORT"

"${COMPOSE[@]}" up -d >"$WORK/up.log" 2>&1 || { tail -20 "$WORK/up.log" >&2; fail "podman-compose up failed"; }
container() { echo "${PROJECT}_$1_1"; }
healthy() { podman healthcheck run "$(container "$1")" >/dev/null 2>&1; }
for svc in postgres agenda deviation notify gateway; do
  wait_for 120 healthy "$svc" || fail "$svc did not become healthy by its own health check"
done
# the check says why, in one line
podman exec "$(container agenda)" samhand-agenda healthcheck | grep -q 'agenda: ready' ||
  fail "samhand-agenda healthcheck does not say it is ready"

status_of() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$URL$1"; }
call() { # METHOD PATH [BODY]: the body of the answer; fails unless 2xx
  local out status
  out=$(curl -sS -w '\n%{http_code}' -X "$1" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' ${3:+-d "$3"} "$URL$2") || fail "$1 $2 failed"
  status=${out##*$'\n'}
  [[ $status == 2* ]] || fail "$1 $2 answered $status: ${out%$'\n'*}"
  printf '%s' "${out%$'\n'*}"
}
id_of() { jq -er '.id // .meeting.id'; }

# --- a short story through the gateway ---
[ "$(status_of /readyz)" = 200 ] || fail "the gateway is not ready though healthy"
org=$(call POST /v1/organizations '{"name":"Container kommune","organizationNumber":"974760673","kind":"MUNICIPALITY"}' | id_of)
hospital=$(call POST /v1/organizations '{"name":"Container helseforetak","organizationNumber":"983974724","kind":"HOSPITAL_TRUST"}' | id_of)
committee=$(call POST /v1/committees '{"name":"Administrativt samarbeidsutvalg","shortName":"ASU","kind":"ADMINISTRATIVE"}' | id_of)
meeting=$(call POST /v1/meetings "{\"committeeId\":\"$committee\",\"startTime\":\"2031-03-04T09:00:00+01:00\",\"endTime\":\"2031-03-04T13:00:00+01:00\",\"place\":\"Sykehuset\"}" | id_of)
call POST "/v1/meetings/$meeting/items" '{"kind":"CASE","title":"Sak om samhandling","description":"Oppfølging av tjenesteavtalen.","durationMin":15}' >/dev/null
call POST "/v1/meetings/$meeting/publish" >/dev/null
[ "$(call GET "/v1/meetings/$meeting" | jq -r '.items[0].title')" = "Sak om samhandling" ] ||
  fail "the published meeting does not read back with its item"
# deviation learns the organisations from agenda's events, container to container
body=$(sed -e "s/@REPORTING@/$org/" -e "s/@RECEIVING@/$hospital/" "$ROOT/tests/bench/deviation.json")
submitted() { status=$(curl -s -o "$WORK/deviation.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' -d "$body" "$URL/v1/deviations"); [ "$status" = 201 ]; }
wait_for 30 submitted || fail "POST /v1/deviations answered $status: $(cat "$WORK/deviation.json")"
deviation=$(id_of <"$WORK/deviation.json")
[ "$(status_of "/v1/deviations/$deviation")" = 200 ] || fail "the submitted deviation does not read back"

# --- one service stopped: unready; started again: ready ---
podman stop -t 10 "$(container deviation)" >/dev/null 2>&1
unready() { [ "$(status_of /readyz)" = 503 ]; }
wait_for 30 unready || fail "/readyz did not answer 503 with deviation stopped"
healthy gateway && fail "the gateway's health check passes with deviation stopped"
podman start "$(container deviation)" >/dev/null 2>&1
ready() { [ "$(status_of /readyz)" = 200 ]; }
wait_for 60 ready || fail "/readyz did not come back to 200 with deviation started again"
[ "$(status_of "/v1/deviations/$deviation")" = 200 ] || fail "the deviation is gone after the restart"
echo "the compose stack ran the story, went unready without deviation and ready again"
