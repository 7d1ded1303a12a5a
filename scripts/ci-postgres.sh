# Starts a throwaway PostgreSQL cluster for the Postgres tests and exports OAUTH2_TEST_POSTGRES_URL.
#
# SOURCE it (it exports into the caller's shell), as root: `. scripts/ci-postgres.sh`; stop the
# cluster with `ci_postgres_stop` (.ci/run does that in its EXIT trap). Installs Debian's postgresql
# package when no server binary is present. The cluster lives in a temp dir owned by the postgres
# user, listens on 127.0.0.1 on a free port only, and is tuned for tests (no fsync: nothing in it
# is worth keeping). The URL names a role with CREATEDB: each test run creates its own database.
# On any failure it prints one line and returns non-zero without exporting the URL (the Postgres
# tests then skip themselves and say so).

ci_postgres_stop() {
  if [ -n "${CI_PG_DIR:-}" ] && [ -d "$CI_PG_DIR" ]; then
    runuser -u postgres -- "$CI_PG_BIN/pg_ctl" -D "$CI_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$CI_PG_DIR"
  fi
  CI_PG_DIR=
}

ci_postgres_start() {
  local bin dir port pw
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "ci-postgres: installing postgresql (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null ||
      { echo "ci-postgres: apt-get install postgresql failed" >&2; return 1; }
  fi
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  [ -x "$bin/postgres" ] || { echo "ci-postgres: no postgres binary under /usr/lib/postgresql" >&2; return 1; }
  id postgres >/dev/null 2>&1 || { echo "ci-postgres: no postgres user (the package creates it)" >&2; return 1; }
  dir="$(mktemp -d /tmp/oauth2-ci-pg.XXXXXX)" || return 1
  chown postgres: "$dir" && chmod 700 "$dir"
  CI_PG_DIR="$dir"
  CI_PG_BIN="$bin"
  port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')" || return 1
  pw="$(node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))')"
  # Superuser: unix socket only (trust, in a 0700 dir); TCP needs a password.
  runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { echo "ci-postgres: initdb failed: $(tail -n 1 "$dir/initdb.log")" >&2; ci_postgres_stop; return 1; }
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null ||
    { echo "ci-postgres: pg_ctl start failed: $(tail -n 1 "$dir/server.log")" >&2; ci_postgres_stop; return 1; }
  runuser -u postgres -- "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE oauth2 LOGIN CREATEDB PASSWORD '$pw'" -c "CREATE DATABASE oauth2 OWNER oauth2" >/dev/null ||
    { echo "ci-postgres: cannot create the test role and database" >&2; ci_postgres_stop; return 1; }
  export OAUTH2_TEST_POSTGRES_URL="postgres://oauth2:$pw@127.0.0.1:$port/oauth2"
  echo "ci-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"
}

ci_postgres_start
