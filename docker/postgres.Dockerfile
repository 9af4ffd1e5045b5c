# PostgreSQL 15 from Debian's own package, on the same Debian 12 base as the
# services (no registry needed). Speaks the official image's environment:
# POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, and runs the scripts in
# /docker-entrypoint-initdb.d/ once, when it makes the cluster.
ARG BASE_IMAGE=debian:12-slim
FROM ${BASE_IMAGE}
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      postgresql-15 \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/postgresql/data /docker-entrypoint-initdb.d /run/postgresql \
    && chown -R postgres:postgres /var/lib/postgresql /run/postgresql
COPY docker/postgres-entrypoint.sh /usr/local/bin/samhand-postgres
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
USER postgres
EXPOSE 5432
HEALTHCHECK --interval=5s --timeout=3s CMD ["pg_isready", "-h", "127.0.0.1"]
STOPSIGNAL SIGINT
ENTRYPOINT ["samhand-postgres"]
