#!/bin/bash
# Renders Odoo's configuration with a master password, then hands over to the
# official image's entrypoint (database settings, wait for PostgreSQL, odoo).
#
# The master password is, in this order: the content of $ODOO_MASTER_PASSWORD_FILE
# (a Docker secret), $ODOO_MASTER_PASSWORD, or the one stored in the data volume
# ($DEALER_MASTER_PASSWORD_STORE), generated at random on the first start. Only its
# pbkdf2 hash is written into the configuration.
set -euo pipefail

: "${ODOO_RC:=/etc/odoo/odoo.conf}"
: "${DEALER_CONF_TEMPLATE:=/etc/odoo/dealer.conf}"
: "${DEALER_MASTER_PASSWORD_STORE:=/var/lib/odoo/master_password}"
: "${DEALER_NEXT_ENTRYPOINT:=/entrypoint.sh}"
: "${PYTHON:=python3}"

umask 077

if [ -n "${ODOO_MASTER_PASSWORD_FILE:-}" ]; then
  master_password=$(<"$ODOO_MASTER_PASSWORD_FILE")
elif [ -n "${ODOO_MASTER_PASSWORD:-}" ]; then
  master_password=$ODOO_MASTER_PASSWORD
else
  if [ ! -s "$DEALER_MASTER_PASSWORD_STORE" ]; then
    "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$DEALER_MASTER_PASSWORD_STORE"
    # The password itself stays out of the logs, which are often shipped elsewhere.
    echo "dealer: generated a master password into $DEALER_MASTER_PASSWORD_STORE" >&2
  fi
  master_password=$(<"$DEALER_MASTER_PASSWORD_STORE")
fi
[ -n "$master_password" ] || { echo "dealer: the master password is empty" >&2; exit 1; }

# The same hashing as Odoo's own (odoo/tools/config.py), so Odoo accepts the hash.
admin_hash=$(DEALER_MASTER_PASSWORD="$master_password" "$PYTHON" -c '
import os
from passlib.context import CryptContext
print(CryptContext(["pbkdf2_sha512"], pbkdf2_sha512__rounds=600_000).hash(
    os.environ["DEALER_MASTER_PASSWORD"]))')
unset master_password

# A second admin_passwd key would stop Odoo's config parser: drop any from the
# template. The file is rewritten in place as /etc/odoo is not the odoo user's.
{
  grep -v -E '^\s*admin_passwd\s*=' "$DEALER_CONF_TEMPLATE"
  printf '\n; set by docker/entrypoint.sh\nadmin_passwd = %s\n' "$admin_hash"
} >"$ODOO_RC"
chmod 600 "$ODOO_RC"

exec "$DEALER_NEXT_ENTRYPOINT" "$@"
