#!/usr/bin/env bash
# Backups of the after-sales CRM: the database (pg_dump, custom format) and the uploaded files
# (MEDIA_ROOT and PRIVATE_MEDIA_ROOT), one backup set per run, a folder named after the time:
#
#   $BACKUP_DIR/20270101T023000Z/  database.dump  media.tar.gz  private.tar.gz  MANIFEST
#
# A set is written as <name>.partial and renamed when complete, so every set without that suffix
# is whole; the newest $BACKUP_KEEP sets are kept. The compose service `backup` runs `loop`.
#
#   backup.sh run                  make one backup set now
#   backup.sh loop                 a set every day at $BACKUP_TIME (and at once if the newest
#                                  is older than a day)
#   backup.sh list                 the backup sets, oldest first
#   backup.sh check                exit 1 unless the newest set is younger than 26 hours
#   backup.sh restore SET [--replace]
#                                  restore SET (a folder, or a name in $BACKUP_DIR) into the
#                                  database $PGDATABASE and the two file folders; the database
#                                  must be empty, or --replace drops everything in it first
#
# The database comes from the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE);
# pg_dump and pg_restore from PATH, of the server's major version or newer.
# Defaults: BACKUP_DIR=/backups BACKUP_KEEP=14 BACKUP_TIME=02:30 MEDIA_ROOT=/data/media
# PRIVATE_MEDIA_ROOT=/data/private.
set -euo pipefail

BACKUP_DIR=${BACKUP_DIR:-/backups}
BACKUP_KEEP=${BACKUP_KEEP:-14}
BACKUP_TIME=${BACKUP_TIME:-02:30}
MEDIA_ROOT=${MEDIA_ROOT:-/data/media}
PRIVATE_MEDIA_ROOT=${PRIVATE_MEDIA_ROOT:-/data/private}
SET_PATTERN='[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z'

say() { echo "[backup $(date -u +%FT%TZ)] $*" >&2; }
fail() { say "$*"; exit 1; }

sets() {
    # Complete sets only, oldest first (the names sort by time).
    find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name "$SET_PATTERN" -printf '%f\n' 2>/dev/null | sort
}

archive_folder() {
    local folder=$1 archive=$2
    mkdir -p "$folder"
    tar -C "$folder" -czf "$archive" .
}

run() {
    mkdir -p "$BACKUP_DIR"
    local name target partial
    name=$(date -u +%Y%m%dT%H%M%SZ)
    target="$BACKUP_DIR/$name"
    partial="$target.partial"
    rm -rf "$partial"
    mkdir -p "$partial"
    say "database ${PGDATABASE:-?} on ${PGHOST:-local}..."
    pg_dump --format=custom --no-owner --no-privileges --file "$partial/database.dump"
    # The archive must be readable, or it is no backup.
    pg_restore --list "$partial/database.dump" >/dev/null
    say "files in $MEDIA_ROOT and $PRIVATE_MEDIA_ROOT..."
    archive_folder "$MEDIA_ROOT" "$partial/media.tar.gz"
    archive_folder "$PRIVATE_MEDIA_ROOT" "$partial/private.tar.gz"
    {
        echo "created: $name"
        echo "database: ${PGDATABASE:-} on ${PGHOST:-local}"
        echo "pg_dump: $(pg_dump --version)"
        (cd "$partial" && sha256sum database.dump media.tar.gz private.tar.gz)
    } >"$partial/MANIFEST"
    mv "$partial" "$target"
    say "backup set $target ($(du -sh "$target" | cut -f1))"
    prune
}

prune() {
    local count
    count=$(sets | wc -l)
    if [ "$count" -gt "$BACKUP_KEEP" ]; then
        sets | head -n "$((count - BACKUP_KEEP))" | while read -r old; do
            say "removing $old (keeping the newest $BACKUP_KEEP)"
            rm -rf "${BACKUP_DIR:?}/$old"
        done
    fi
    # Sets a run that died left half-written.
    find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name "$SET_PATTERN.partial" -mmin +1440 \
        -exec rm -rf {} +
}

recent() {
    # Whether the newest set is younger than $1 minutes.
    [ -n "$(find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name "$SET_PATTERN" -mmin "-$1" 2>/dev/null)" ]
}

loop() {
    say "backing up every day at $BACKUP_TIME into $BACKUP_DIR, keeping $BACKUP_KEEP sets"
    while true; do
        if ! recent 1440; then
            # A process of its own, so that `set -e` stops a failed run (and not the loop).
            "$0" run || say "the backup FAILED; next attempt at $BACKUP_TIME"
        fi
        local now next
        now=$(date +%s)
        next=$(date -d "today $BACKUP_TIME" +%s)
        [ "$next" -gt "$now" ] || next=$(date -d "tomorrow $BACKUP_TIME" +%s)
        sleep "$((next - now))"
        "$0" run || say "the backup FAILED; next attempt tomorrow"
    done
}

restore_folder() {
    local archive=$1 folder=$2
    mkdir -p "$folder"
    find "$folder" -mindepth 1 -delete
    tar -C "$folder" -xzf "$archive"
}

restore() {
    local set=${1:-} replace=${2:-}
    [ -n "$set" ] || fail "usage: backup.sh restore SET [--replace]"
    [ -d "$set" ] || set="$BACKUP_DIR/$set"
    [ -f "$set/database.dump" ] || fail "$set is not a backup set (no database.dump)"
    (cd "$set" && sha256sum --quiet --check <(tail -n 3 MANIFEST)) || fail "$set is damaged"
    local tables
    tables=$(psql --no-psqlrc --tuples-only --no-align --command \
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    if [ "$tables" != "0" ]; then
        [ "$replace" = "--replace" ] ||
            fail "database ${PGDATABASE:-?} is not empty ($tables tables): stop the app and add --replace"
        say "emptying database ${PGDATABASE:-?}..."
        psql --no-psqlrc --quiet --set ON_ERROR_STOP=1 \
            --command "DROP SCHEMA public CASCADE" --command "CREATE SCHEMA public"
    fi
    say "restoring $set into ${PGDATABASE:-?} on ${PGHOST:-local}..."
    pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
        --dbname "${PGDATABASE:-}" "$set/database.dump"
    restore_folder "$set/media.tar.gz" "$MEDIA_ROOT"
    restore_folder "$set/private.tar.gz" "$PRIVATE_MEDIA_ROOT"
    say "restored; start the app (it applies newer migrations on start)"
}

command=${1:-}
shift || true
case "$command" in
    run) run ;;
    loop) loop ;;
    list) sets ;;
    check) recent 1560 || fail "no backup set younger than 26 hours in $BACKUP_DIR" ;;
    restore) restore "$@" ;;
    *) sed -n '2,30p' "$0" >&2; exit 2 ;;
esac
