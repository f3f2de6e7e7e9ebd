#!/usr/bin/env bash
# The restore drill: restore a backup (made by `flask --app app backup DIR`) into a new, empty database and an
# empty folder, check every table's row count, every money total and every file against the backup, then remove
# the copy. Exit 0 only if everything matches. Run it after every backup, or at least monthly, from cron.
#
#   DRILL_SERVER=postgresql://postgres@db-host:5432 deploy/restore-drill.sh /var/backups/pbportal/2026-12-03
#
# DRILL_SERVER must be allowed to create and drop databases; the app's settings (SECRET_KEY, DATABASE_URL) must
# be in the environment as for any `flask --app app` command.
set -euo pipefail
backup_dir="${1:?usage: deploy/restore-drill.sh BACKUP_DIR}"
server="${DRILL_SERVER:-postgresql://postgres@127.0.0.1:5432}"
name="pbportal_drill_$(date +%Y%m%d%H%M%S)_$$"
folder="$(mktemp -d)"
cleanup() { dropdb --if-exists --maintenance-db="$server/postgres" "$name" || true; rm -rf "$folder"; }
trap cleanup EXIT
createdb --maintenance-db="$server/postgres" "$name"
"${FLASK:-flask}" --app app restore-drill "$backup_dir" --into "$server/$name" --upload-dir "$folder/uploads"
