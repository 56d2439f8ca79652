#!/usr/bin/env bash
# scripts/pg.sh - a private PostgreSQL + PostGIS cluster for development and
# tests, no Docker needed. The Makefile uses it whenever DATABASE_URL is unset.
#
#   scripts/pg.sh up       create (first time) and start the cluster, create the
#                          database "meetingfinder"; installs PostGIS with apt
#                          when running as root and it is missing. On a standby
#                          (made by `replica`) it starts it, and creates nothing
#   scripts/pg.sh down     stop it (fast shutdown); fine if it is not running
#   scripts/pg.sh url      print its DATABASE_URL (works before it exists)
#   scripts/pg.sh status   say whether it runs (exit 0 running, 3 not running)
#   scripts/pg.sh psql     open psql on it (extra arguments go to psql)
#   scripts/pg.sh logs     print the end of the server log
#   scripts/pg.sh destroy  stop it and delete its data folder
#   scripts/pg.sh replica  create (first time, with pg_basebackup -R) and start
#                          a streaming hot standby of the running cluster, on
#                          port MF_PG_REPLICA_PORT with data in
#                          MF_PG_REPLICA_DATA, and say its DATABASE_URL.
#                          The other commands work on the standby with
#                          MF_PG_PORT and MF_PG_DATA set to those two values
#
# Settings: MF_PG_PORT (default 54329), MF_PG_DATA (data folder, an absolute
# path; default: see Layout), MF_PG_BINDIR (PostgreSQL bin folder, default:
# pg_config --bindir, else the newest /usr/lib/postgresql/*/bin);
# MF_PG_REPLICA_PORT (default MF_PG_PORT + 1) and MF_PG_REPLICA_DATA (default
# the data folder with "-replica" appended) for `replica`.
#
# Layout: the data folder is MF_PG_DATA when set (the server user must be
# able to reach it), else <repo>/.pgdata. When run as root, the server runs
# as an unprivileged user ("postgres" if it exists, else a system user
# "meetingfinder"). Without MF_PG_DATA, if that user cannot reach the
# repository folder (or the path is unusable for a unix socket), the data
# folder is /tmp/meetingfinder-pg-<hash of repo path> instead and
# <repo>/.pgdata/LOCATION records where it is. The server listens on
# 127.0.0.1 only, with trust authentication (replication connections from
# 127.0.0.1 included) and durability switched off: it is a throwaway
# cluster. Its WAL is fit for streaming standbys (wal_level = replica).
set -euo pipefail

readonly DB_NAME=meetingfinder
readonly FALLBACK_USER=meetingfinder
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly REPO
readonly PORT="${MF_PG_PORT:-54329}"
readonly CUSTOM_DATA="${MF_PG_DATA:-}"      # the data folder when set
HASH="$(printf '%s' "$REPO" | sha1sum | cut -c1-10)"
readonly HASH
readonly APT_LOG="/tmp/meetingfinder-pg-$HASH-apt.log"
readonly START_TIMEOUT=90

is_port() { [[ "$1" =~ ^[0-9]+$ ]] && (($1 > 0 && $1 < 65536)); }

is_port "$PORT" || {
	echo "pg.sh: MF_PG_PORT must be a TCP port number, got '$PORT'" >&2
	exit 2
}

if [[ -n "$CUSTOM_DATA" ]]; then
	[[ "$CUSTOM_DATA" == /* && "$CUSTOM_DATA" != / ]] || {
		echo "pg.sh: MF_PG_DATA must be an absolute path other than /, got '$CUSTOM_DATA'" >&2
		exit 2
	}
	readonly HOME_DIR="${CUSTOM_DATA%/}"    # the data folder itself
	readonly LOCATION_FILE=""
	readonly FALLBACK_DIR=""
	readonly LOCK_FILE="$HOME_DIR.lock"     # beside it, gone with its parent
else
	readonly HOME_DIR="$REPO/.pgdata"       # data folder, or holder of LOCATION
	readonly LOCATION_FILE="$HOME_DIR/LOCATION"
	readonly FALLBACK_DIR="/tmp/meetingfinder-pg-$HASH"
	readonly LOCK_FILE="/tmp/meetingfinder-pg-$HASH.lock"
fi

# Connection settings from the caller's environment must not redirect the
# admin commands below to some other server.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^PG' || true)

say() { echo "pg.sh: $*"; }
warn() { echo "pg.sh: $*" >&2; }
die() {
	warn "error: $*"
	exit 1
}
is_root() { ((EUID == 0)); }

# ---------------------------------------------------------------- locating

# DATA: the data folder (cluster may or may not exist there yet).
resolve_data() {
	if [[ -n "$LOCATION_FILE" && -f "$LOCATION_FILE" ]]; then
		DATA="$(<"$LOCATION_FILE")"
	else
		DATA="$HOME_DIR"
	fi
}

cluster_exists() { [[ -f "$DATA/PG_VERSION" ]]; }

# A standby (made by `replica`) replays its primary's WAL and takes no writes.
is_standby() { [[ -f "$DATA/standby.signal" ]]; }

# Major version of the server binaries in folder $1.
bindir_major() {
	"$1/pg_ctl" --version 2>/dev/null | sed -nE 's/.*\(PostgreSQL\) ([0-9]+).*/\1/p'
}

bindir_sharedir() {
	local b="$1" major
	if [[ -x "$b/pg_config" ]] && "$b/pg_config" --sharedir 2>/dev/null; then
		return
	fi
	major="$(bindir_major "$b")"
	if [[ -d "/usr/share/postgresql/$major" ]]; then
		echo "/usr/share/postgresql/$major"
	else
		echo "$(dirname "$b")/share"
	fi
}

has_postgis() { [[ -f "$(bindir_sharedir "$1")/extension/postgis.control" ]]; }

# Candidate bin folders, preferred first, one per line.
bindir_candidates() {
	local b
	if [[ -n "${MF_PG_BINDIR:-}" ]]; then
		echo "$MF_PG_BINDIR"
		return
	fi
	if command -v pg_config >/dev/null 2>&1; then
		b="$(pg_config --bindir 2>/dev/null || true)"
		[[ -n "$b" && -x "$b/initdb" && -x "$b/pg_ctl" ]] && echo "$b"
	fi
	for b in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[[ -x "$b/initdb" && -x "$b/pg_ctl" ]] && echo "$b"
	done
	return 0
}

# Print the bin folder to use, or nothing. An existing cluster pins the major
# version; otherwise prefer a version that already has PostGIS.
select_bindir() {
	local want="" b first=""
	cluster_exists && want="$(<"$DATA/PG_VERSION")"
	while read -r b; do
		[[ -n "$b" ]] || continue
		if [[ -n "$want" ]]; then
			[[ "$(bindir_major "$b")" == "$want" ]] && { echo "$b"; return; }
			continue
		fi
		[[ -n "$first" ]] || first="$b"
		has_postgis "$b" && { echo "$b"; return; }
	done < <(bindir_candidates)
	[[ -n "$want" ]] || echo "$first"
}

# The OS user that runs (or will run) the server; it is also the database
# superuser. Without side effects, so `url` can use it before `up`.
server_user() {
	if cluster_exists; then
		stat -c %U "$DATA"
	elif ! is_root; then
		id -un
	elif id -u postgres >/dev/null 2>&1; then
		echo postgres
	else
		# `up` installs PostgreSQL/PostGIS with apt when they are missing, and
		# the Debian packages create the user "postgres".
		local b
		b="$(select_bindir)"
		if command -v apt-get >/dev/null 2>&1 && { [[ -z "$b" ]] || ! has_postgis "$b"; }; then
			echo postgres
		else
			echo "$FALLBACK_USER"
		fi
	fi
}

url() { echo "postgres://$(server_user)@127.0.0.1:$PORT/$DB_NAME?sslmode=disable"; }

# Run a command as the server user (from /, which that user can always read).
as_pg() {
	if is_root; then
		(cd / && runuser -u "$PGUSER" -- "$@")
	else
		"$@"
	fi
}

lock() {
	# Serialise concurrent up/down calls (parallel `make test` runs).
	if touch "$LOCK_FILE" 2>/dev/null; then
		exec 9>>"$LOCK_FILE"
		flock -w 900 9 || die "timed out waiting for $LOCK_FILE"
	fi
}

# ---------------------------------------------------------------- installing

apt_has_candidates() {
	local p
	for p in "$@"; do
		apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [^(]' || return 1
	done
}

apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	local opts=(-y -q -o DPkg::Lock::Timeout=900
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
	say "installing $* with apt-get (log: $APT_LOG)"
	: >"$APT_LOG"
	if ! apt_has_candidates "$@"; then
		apt-get update -q "${opts[@]:2}" >>"$APT_LOG" 2>&1 9>&- || {
			tail -n 30 "$APT_LOG" >&2
			die "apt-get update failed"
		}
	fi
	apt-get install --no-install-recommends "${opts[@]}" "$@" >>"$APT_LOG" 2>&1 9>&- || {
		tail -n 30 "$APT_LOG" >&2
		die "apt-get install $* failed"
	}
}

# Sets BINDIR, MAJOR; installs PostgreSQL and/or PostGIS if missing and root.
ensure_software() {
	BINDIR="$(select_bindir)"
	if [[ -z "$BINDIR" ]]; then
		if cluster_exists; then
			die "the cluster in $DATA needs PostgreSQL $(<"$DATA/PG_VERSION"), whose binaries are not installed"
		fi
		if is_root && command -v apt-get >/dev/null 2>&1; then
			apt_install postgresql postgresql-postgis
			BINDIR="$(select_bindir)"
		fi
		[[ -n "$BINDIR" ]] || die "PostgreSQL server binaries not found (install the packages postgresql and postgresql-postgis, or set MF_PG_BINDIR)"
	fi
	MAJOR="$(bindir_major "$BINDIR")"
	[[ -n "$MAJOR" ]] || die "cannot tell the PostgreSQL version of $BINDIR"
	if ! has_postgis "$BINDIR"; then
		local pkg="postgresql-$MAJOR-postgis-3"
		if is_root && command -v apt-get >/dev/null 2>&1; then
			apt_install "$pkg"
			has_postgis "$BINDIR" || die "$pkg is installed but $(bindir_sharedir "$BINDIR")/extension/postgis.control is still missing"
		else
			die "PostGIS for PostgreSQL $MAJOR is not installed ($(bindir_sharedir "$BINDIR")/extension/postgis.control is missing). Install the package $pkg, e.g. sudo apt-get install -y $pkg"
		fi
	fi
}

# Sets PGUSER (creating the system user if needed).
ensure_user() {
	PGUSER="$(server_user)"
	[[ -n "$PGUSER" && "$PGUSER" != UNKNOWN ]] || die "cannot tell who owns $DATA"
	if is_root; then
		[[ "$PGUSER" != root ]] || die "$DATA belongs to root; PostgreSQL cannot run as root. Remove it (scripts/pg.sh destroy) and run up again"
		if ! id -u "$PGUSER" >/dev/null 2>&1; then
			if [[ "$PGUSER" == "$FALLBACK_USER" ]]; then
				useradd --system --no-create-home --home-dir /nonexistent \
					--shell /usr/sbin/nologin "$FALLBACK_USER" ||
					die "could not create the system user $FALLBACK_USER"
			else
				die "user $PGUSER (owner of the cluster) does not exist"
			fi
		fi
	elif [[ "$PGUSER" != "$(id -un)" ]]; then
		die "the cluster in $DATA belongs to $PGUSER; run this as $PGUSER or root"
	fi
}

# ---------------------------------------------------------------- cluster

# Why $1 cannot hold the cluster (empty if it can).
unusable_reason() {
	local dir="$1"
	if [[ ! "$dir" =~ ^[A-Za-z0-9/._+@-]+$ ]]; then
		echo "its path has characters that are awkward in postgresql.conf"
	elif ((${#dir} + ${#PORT} + 10 > 100)); then
		echo "its path is too long for a unix socket"
	elif is_root && ! (cd / && runuser -u "$PGUSER" -- test -x "$(existing_parent "$dir")"); then
		echo "user $PGUSER cannot reach $(existing_parent "$dir")"
	fi
}

# The nearest folder of $1 (itself excluded) that exists.
existing_parent() {
	local d
	d="$(dirname "$1")"
	while [[ ! -d "$d" ]]; do d="$(dirname "$d")"; done
	echo "$d"
}

initdb_at() {
	local dir="$1" locale=C log
	if [[ -e "$dir" && -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
		die "$dir exists, is not empty and holds no cluster; move it away or delete it"
	fi
	mkdir -p "$dir"
	chmod 700 "$dir"
	is_root && chown "$PGUSER:" "$dir"
	locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$' && locale=C.UTF-8
	log="$(mktemp)"
	as_pg "$BINDIR/initdb" -D "$dir" -U "$PGUSER" --auth=trust \
		--encoding=UTF8 --locale="$locale" >"$log" 2>&1 || {
		tail -n 30 "$log" >&2
		rm -f "$log"
		return 1
	}
	rm -f "$log"
	echo "include_if_exists = 'meetingfinder.conf'	# added by scripts/pg.sh" |
		as_pg tee -a "$dir/postgresql.conf" >/dev/null
}

create_cluster() {
	local reason
	reason="$(unusable_reason "$HOME_DIR")"
	if [[ -n "$CUSTOM_DATA" ]]; then
		# The caller chose the folder: no fallback elsewhere.
		[[ -z "$reason" ]] || die "cannot use MF_PG_DATA=$HOME_DIR: $reason"
		DATA="$HOME_DIR"
		initdb_at "$DATA" || die "initdb failed in $DATA"
		return
	fi
	if [[ -z "$reason" ]]; then
		DATA="$HOME_DIR"
		if initdb_at "$DATA"; then
			return
		fi
		reason="initdb failed there"
	fi
	warn "not using $HOME_DIR ($reason); the cluster goes to $FALLBACK_DIR"
	DATA="$FALLBACK_DIR"
	[[ -z "$(unusable_reason "$DATA")" ]] || die "cannot use $DATA either: $(unusable_reason "$DATA")"
	if cluster_exists; then
		# Made by an earlier run whose LOCATION file is gone: adopt it.
		[[ "$(stat -c %U "$DATA")" == "$PGUSER" ]] || die "$DATA holds a cluster owned by $(stat -c %U "$DATA"), not $PGUSER"
	else
		if [[ -e "$DATA" ]] && is_root; then
			# A leftover of an earlier failed attempt by this script.
			rm -rf "$DATA"
		fi
		initdb_at "$DATA" || die "initdb failed in $DATA"
	fi
	mkdir -p "$HOME_DIR"
	chmod 700 "$HOME_DIR"
	echo "$DATA" >"$LOCATION_FILE"
}

# Write meetingfinder.conf; return 0 if it changed.
write_config() {
	local dsm=posix shm_kb new
	shm_kb="$(df -Pk /dev/shm 2>/dev/null | awk 'NR==2 {print $4}')"
	# Small /dev/shm (containers often get 64MB) breaks parallel queries.
	[[ "${shm_kb:-0}" =~ ^[0-9]+$ ]] && ((shm_kb >= 1048576)) || dsm=mmap
	new="# Written by scripts/pg.sh on every 'up'; change the script, not this file.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
max_connections = 200
shared_buffers = 256MB
work_mem = 16MB
maintenance_work_mem = 256MB
dynamic_shared_memory_type = $dsm
# A throwaway dev/test cluster: speed over durability.
fsync = off
synchronous_commit = off
full_page_writes = off
# WAL for streaming standbys (scripts/pg.sh replica); a standby answers reads.
wal_level = replica
max_wal_senders = 10
wal_keep_size = 256MB
hot_standby = on
# A standby's long reads (the read model's load) are not cancelled by the
# primary's vacuum; a standby retries a lost primary every second.
hot_standby_feedback = on
wal_retrieve_retry_interval = 1s
max_wal_size = 2GB
checkpoint_timeout = 30min
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
"
	if [[ "$(as_pg cat "$DATA/meetingfinder.conf" 2>/dev/null || true)" == "${new%$'\n'}" ]]; then
		return 1
	fi
	printf '%s' "$new" | as_pg tee "$DATA/meetingfinder.conf" >/dev/null
	return 0
}

# Make sure pg_hba.conf lets replication connections from 127.0.0.1 in
# (initdb's own file does); return 0 if it changed.
ensure_hba() {
	local hba="$DATA/pg_hba.conf"
	if as_pg grep -qE '^[[:space:]]*host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
		return 1
	fi
	printf 'host    replication     all             127.0.0.1/32            trust   # added by scripts/pg.sh\n' |
		as_pg tee -a "$hba" >/dev/null
	return 0
}

is_running() { as_pg "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

running_port() { as_pg sed -n 4p "$DATA/postmaster.pid" 2>/dev/null || true; }

fail_with_log() {
	warn "last lines of $DATA/server.log:"
	as_pg tail -n 40 "$DATA/server.log" >&2 || true
	die "$*"
}

pg_ctl_start() {
	# 9>&- : the server must not inherit the lock.
	as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t "$START_TIMEOUT" -s "$@" 9>&- ||
		fail_with_log "PostgreSQL did not start (pg_ctl $*)"
}

wait_ready() {
	local i
	for ((i = 0; i < START_TIMEOUT * 2; i++)); do
		"$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U "$PGUSER" -d postgres && return
		sleep 0.5
	done
	fail_with_log "PostgreSQL is not accepting connections on 127.0.0.1:$PORT after ${START_TIMEOUT}s"
}

ensure_database() {
	local q=("$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$PGUSER")
	if [[ "$("${q[@]}" -d postgres -tAc "select 1 from pg_database where datname = '$DB_NAME'")" != 1 ]]; then
		"${q[@]}" -d postgres -c "create database $DB_NAME" >/dev/null
	fi
}

# ---------------------------------------------------------------- commands

cmd_up() {
	lock
	resolve_data
	if [[ -f "$LOCATION_FILE" ]] && ! cluster_exists; then
		# The fallback cluster vanished (e.g. /tmp was cleaned): start over.
		rm -f "$LOCATION_FILE"
		rmdir "$HOME_DIR" 2>/dev/null || true
		resolve_data
	fi
	ensure_software
	ensure_user
	if ! cluster_exists; then
		create_cluster
	fi
	local changed=0
	write_config && changed=1
	ensure_hba && changed=1
	if is_running; then
		if [[ "$(running_port)" != "$PORT" || $changed == 1 ]]; then
			pg_ctl_start -m fast restart
		fi
	else
		local rc=0
		"$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U "$PGUSER" -d postgres || rc=$?
		if ((rc <= 1)); then
			die "another server already listens on 127.0.0.1:$PORT (not the cluster in $DATA). Stop it, or set MF_PG_PORT to a free port, or set DATABASE_URL to use that server"
		fi
		pg_ctl_start start
	fi
	wait_ready
	if is_standby; then
		say "PostgreSQL $MAJOR hot standby is up: $(url)  (data: $DATA)"
		return
	fi
	ensure_database
	say "PostgreSQL $MAJOR with PostGIS is up: $(url)  (data: $DATA)"
}

# For commands that only need an existing cluster: sets DATA, BINDIR, PGUSER.
existing_cluster() {
	resolve_data
	cluster_exists || return 1
	BINDIR="$(select_bindir)"
	[[ -n "$BINDIR" ]] || die "PostgreSQL $(<"$DATA/PG_VERSION") binaries not found"
	PGUSER="$(server_user)"
}

cmd_down() {
	lock
	if ! existing_cluster; then
		say "no cluster (nothing to stop)"
		return
	fi
	if is_running; then
		as_pg "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 60 -s stop ||
			fail_with_log "PostgreSQL did not stop"
		say "stopped (data kept in $DATA)"
	else
		say "not running"
	fi
}

cmd_status() {
	if ! existing_cluster; then
		say "no cluster yet (run scripts/pg.sh up)"
		exit 3
	fi
	if is_running; then
		say "running on 127.0.0.1:$(running_port)$(is_standby && echo ' as a hot standby') (data: $DATA, url: $(url))"
	else
		say "not running (data: $DATA)"
		exit 3
	fi
}

cmd_psql() {
	local psql=psql
	if existing_cluster; then psql="$BINDIR/psql"; fi
	exec "$psql" "$(url)" "$@"
}

cmd_logs() {
	existing_cluster || die "no cluster yet"
	as_pg tail -n "${1:-50}" "$DATA/server.log"
}

cmd_destroy() {
	cmd_down
	resolve_data
	if [[ -n "$LOCATION_FILE" && -f "$LOCATION_FILE" && "$DATA" == /tmp/meetingfinder-pg-* ]]; then
		rm -rf "$DATA"
	fi
	rm -rf "$HOME_DIR"
	say "deleted the cluster"
}

# Make the standby (first time) and start it: a base backup of the running
# cluster taken with pg_basebackup -R (which writes standby.signal and the
# primary's conninfo), then `up` on the standby's port and folder, which
# writes its own meetingfinder.conf over the copied one.
cmd_replica() {
	local rport="${MF_PG_REPLICA_PORT:-$((PORT + 1))}" rdata="${MF_PG_REPLICA_DATA:-$DATA-replica}" reason log
	is_port "$rport" || die "MF_PG_REPLICA_PORT must be a TCP port number, got '$rport'"
	[[ "$rport" != "$PORT" ]] || die "the standby needs a port of its own (MF_PG_REPLICA_PORT), not $PORT"
	[[ "$rdata" == /* && "$rdata" != / ]] || die "MF_PG_REPLICA_DATA must be an absolute path other than /, got '$rdata'"
	rdata="${rdata%/}"
	existing_cluster || die "no cluster in $DATA to replicate: run scripts/pg.sh up first"
	[[ "$rdata" != "$DATA" ]] || die "the standby needs a data folder of its own (MF_PG_REPLICA_DATA), not $DATA"
	is_running || die "the cluster in $DATA is not running: run scripts/pg.sh up first"
	! is_standby || die "the cluster in $DATA is itself a standby; make the replica of its primary"
	local q=("$BINDIR/psql" -X -q -tA -h 127.0.0.1 -p "$PORT" -U "$PGUSER" -d postgres)
	[[ "$("${q[@]}" -c 'show wal_level')" != minimal && "$("${q[@]}" -c 'show max_wal_senders')" != 0 ]] ||
		die "the cluster in $DATA does not send WAL to standbys (wal_level minimal or max_wal_senders 0): run scripts/pg.sh up, which rewrites its settings and restarts it"
	if [[ ! -f "$rdata/PG_VERSION" ]]; then
		# The lock `up` takes with MF_PG_DATA=$rdata.
		if touch "$rdata.lock" 2>/dev/null; then
			exec 8>>"$rdata.lock"
			flock -w 900 8 || die "timed out waiting for $rdata.lock"
		fi
	fi
	if [[ ! -f "$rdata/PG_VERSION" ]]; then
		[[ -x "$BINDIR/pg_basebackup" ]] || die "$BINDIR/pg_basebackup is missing (Debian's postgresql-client-$(<"$DATA/PG_VERSION") provides it)"
		if [[ -e "$rdata" && -n "$(ls -A "$rdata" 2>/dev/null)" ]]; then
			die "$rdata exists, is not empty and holds no cluster; move it away or delete it"
		fi
		reason="$(unusable_reason "$rdata")"
		[[ -z "$reason" ]] || die "cannot put the standby in $rdata: $reason"
		mkdir -p "$rdata"
		chmod 700 "$rdata"
		is_root && chown "$PGUSER:" "$rdata"
		say "copying 127.0.0.1:$PORT into $rdata with pg_basebackup"
		log="$(mktemp)"
		as_pg "$BINDIR/pg_basebackup" -D "$rdata" -h 127.0.0.1 -p "$PORT" -U "$PGUSER" \
			--write-recovery-conf --wal-method=stream --checkpoint=fast --no-sync >"$log" 2>&1 9>&- 8>&- || {
			tail -n 30 "$log" >&2
			rm -f "$log"
			as_pg rm -rf "$rdata"
			die "pg_basebackup failed"
		}
		rm -f "$log"
		# The primary's log and socket lock files came along; they are not
		# the standby's.
		as_pg rm -f "$rdata/server.log" "$rdata"/.s.PGSQL.*
	elif [[ ! -f "$rdata/standby.signal" ]]; then
		die "$rdata holds a cluster that is not a standby (no standby.signal)"
	fi
	exec 8>&-
	MF_PG_PORT="$rport" MF_PG_DATA="$rdata" MF_PG_BINDIR="$BINDIR" bash "${BASH_SOURCE[0]}" up
}

resolve_data

case "${1:-}" in
up) cmd_up ;;
down) cmd_down ;;
url) url ;;
status) cmd_status ;;
psql) shift && cmd_psql "$@" ;;
logs) shift && cmd_logs "$@" ;;
destroy) cmd_destroy ;;
replica) cmd_replica ;;
*)
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
	;;
esac
