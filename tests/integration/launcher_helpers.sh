# What the tests that run ./samhand itself share (sourced by
# test_launcher.sh and test_backup.sh): free ports, waiting for a fact, and
# SQL on the cluster of SAMHAND_PG_PORT.

# a port of loopback nothing listens on (below the ephemeral range)
free_port() {
  local port
  while :; do
    port=$(( 20000 + RANDOM % 12000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# wait_for SECONDS COMMAND...: 0 as soon as COMMAND succeeds, 1 if it never does
wait_for() {
  local seconds=$1; shift
  for _ in $(seq 1 $(( seconds * 5 ))); do "$@" && return 0; sleep 0.2; done
  return 1
}

sql() { /usr/lib/postgresql/15/bin/psql -h 127.0.0.1 -p "$SAMHAND_PG_PORT" -U samhand -d samhand -qtAX -c "$1"; }
