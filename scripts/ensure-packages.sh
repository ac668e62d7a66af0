#!/bin/sh
# Make sure the Debian packages the portal needs are there: Pango (WeasyPrint prints the
# generated PDFs with it); and with `tests`, those the tests use too: chromium (browser tests),
# redis-server (rate limits and task queue on Redis) and postgresql (the suite's second run, on
# a throw-away server: tests/postgres.py). Installs what is missing when we are root (as on CI);
# otherwise says how. Under CI a missing one is a failure.
set -u
missing_packages=""
missing_commands=""
found() {  # found COMMAND: on the PATH, or for PostgreSQL's programs where Debian puts them
  command -v "$1" >/dev/null 2>&1 && return 0
  case "$1" in
    initdb) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ;;
    libpango*) ldconfig -p 2>/dev/null | grep -q "$1" || ls /usr/lib/*/"$1" >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}
need() {  # need COMMAND PACKAGE...
  command="$1"; shift
  if ! found "$command"; then
    missing_commands="$missing_commands $command"
    missing_packages="$missing_packages $*"
  fi
}
need libpangoft2-1.0.so.0 libpango-1.0-0 libpangoft2-1.0-0
if [ "${1:-}" = "tests" ]; then
  need chromium chromium chromium-driver
  need redis-server redis-server
  need initdb postgresql
fi

[ -z "$missing_packages" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installation des paquets Debian :$missing_packages…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends $missing_packages >/dev/null
  still=""
  for command in $missing_commands; do
    found "$command" || still="$still $command"
  done
  [ -z "$still" ] && exit 0
  missing_commands="$still"
fi
echo "Introuvables :$missing_commands. Installez-les : sudo apt-get install$missing_packages" >&2
echo "(Debian/Ubuntu). Sans Pango, les documents PDF ne peuvent pas être produits ; sans les autres, les tests qui en ont besoin sont ignorés." >&2
if [ "${CI:-}" = "true" ]; then
  exit 1
fi
exit 0
