#!/usr/bin/env bash
# conf/install-debian.sh: mod_chatsession into an existing Apache on
# Debian 12, from nothing to a working curl. Run it as root, or run its
# steps by hand. Safe to run again: it creates what is missing and sets
# the rest again (the database password too: a new one each run).
#
# Settings (environment), with Debian's defaults:
#   CHATS_DEB       the package file (./libapache2-mod-chatsession_*.deb),
#                   or its name once it is installed or in an apt source
#   PGHOST, PGPORT  where psql reaches PostgreSQL as its superuser
#                   (/var/run/postgresql, 5432: Debian's own cluster)
#   PGUSER          that superuser, and the system user psql runs as for
#                   peer authentication (postgres)
#   CHATS_DB_HOST   where the module connects, over TCP with a password
#                   (127.0.0.1, port PGPORT)
#   CHATS_DB, CHATS_DB_ROLE   the database and its role (chatsession)
#   CHATS_ADMIN     the first user's login (admin); CHATS_ADMIN_PASSWORD
#                   its password (asked on the terminal when unset)
#   APACHE_CONFDIR  Apache's configuration (/etc/apache2)
#   CHATS_URL       the resource as curl reaches it
#                   (http://127.0.0.1/api/v1/ChatSession)
set -euo pipefail
export PGHOST="${PGHOST:-/var/run/postgresql}" PGPORT="${PGPORT:-5432}"
export PGUSER="${PGUSER:-postgres}" APACHE_CONFDIR="${APACHE_CONFDIR:-/etc/apache2}"
CHATS_DB="${CHATS_DB:-chatsession}" CHATS_DB_ROLE="${CHATS_DB_ROLE:-chatsession}"
CHATS_DB_HOST="${CHATS_DB_HOST:-127.0.0.1}" CHATS_ADMIN="${CHATS_ADMIN:-admin}"
CHATS_URL="${CHATS_URL:-http://127.0.0.1/api/v1/ChatSession}"
as_postgres() { (cd / && runuser -u "$PGUSER" -- "$@"); }

# 1. The package; apt installs what it depends on (mod_dbd's PostgreSQL
#    driver, libpq, yajl, psql). PostgreSQL on this machine, if wanted:
#    apt-get install postgresql
apt-get install -y -q -o DPkg::Lock::Timeout=300 \
    "${CHATS_DEB:-$(ls ./libapache2-mod-chatsession_*.deb | tail -n 1)}"

# 2. A role that logs in with a password, and its database. The password
#    goes through psql's standard input, not its command line.
CHATS_DB_PASSWORD="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
as_postgres psql -X -q -v ON_ERROR_STOP=1 -v role="$CHATS_DB_ROLE" \
    -v db="$CHATS_DB" <<SQL
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" LOGIN PASSWORD '$CHATS_DB_PASSWORD';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL

# 3. The schema, made by that role over TCP as the module will connect;
#    then the first user, with the highest rights level.
db() { PGPASSWORD="$CHATS_DB_PASSWORD" chatsession-db -h "$CHATS_DB_HOST" \
         -p "$PGPORT" -U "$CHATS_DB_ROLE" -d "$CHATS_DB" "$@"; }
db upgrade
if [[ -z "${CHATS_ADMIN_PASSWORD:-}" ]]; then
    read -rsp "Password for $CHATS_ADMIN: " CHATS_ADMIN_PASSWORD && echo
fi
printf '%s\n' "$CHATS_ADMIN_PASSWORD" | db add-user "$CHATS_ADMIN" admin

# 4. DBDParams, with the password, in a file only root reads: httpd reads
#    its configuration as root, before its children become www-data.
install -m 600 -o root -g root /dev/null "$APACHE_CONFDIR/chatsession-db.conf"
printf 'DBDParams "host=%s port=%s dbname=%s user=%s password=%s %s"\n' \
    "$CHATS_DB_HOST" "$PGPORT" "$CHATS_DB" "$CHATS_DB_ROLE" "$CHATS_DB_PASSWORD" \
    "connect_timeout=5 options='-c TimeZone=UTC'" >"$APACHE_CONFDIR/chatsession-db.conf"

# 5. The module (a2enmod enables dbd, authn_core, authz_core, authz_user
#    and authz_host with it) and its configuration,
#    conf-available/chatsession.conf: the pool (DBDParams from step 4) and
#    every family the module serves, from
#    /usr/share/mod_chatsession/chatsession-locations.conf.
a2enmod -q chatsession
a2enconf -q chatsession

# 6. Check the configuration, then reload Apache (or start it).
apache2ctl configtest
apache2ctl graceful                 # under systemd: systemctl reload apache2

# 7. First requests as the first user: the template of a new chat
#    session, from the REST resource and from the official client's
#    ChatAgent (curl reads the credentials from standard input, not its
#    command line; it retries while Apache reloads).
quote() { local s="${1//\\/\\\\}"; printf '%s' "${s//\"/\\\"}"; }
creds() { printf 'user = "%s:%s"\n' "$(quote "$CHATS_ADMIN")" "$(quote "$CHATS_ADMIN_PASSWORD")"; }
creds | curl -fsS --retry 5 --retry-delay 1 --retry-all-errors -K - \
    -H 'Accept: application/json' "$CHATS_URL/default"
echo
creds | curl -fsS --retry 5 --retry-delay 1 --retry-all-errors -K - \
    -X POST -H 'Content-Type: application/json' -d '' \
    "${CHATS_URL%/ChatSession}/Agents/Chat/CreateDefaultChatSessionEntity"
echo
# (end of conf/install-debian.sh)
