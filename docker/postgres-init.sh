#!/bin/sh
# Runs once when the postgres container creates its cluster: one login role
# per service, owning its schema and nothing else.
set -eu
for svc in agenda deviation notify; do
  psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" <<SQL
CREATE ROLE $svc LOGIN PASSWORD '${SAMHAND_DB_PASSWORD}';
CREATE SCHEMA $svc AUTHORIZATION $svc;
SQL
done
