#!/bin/sh
# Make sure Debian's chromium is there for the browser tests. Installs it when missing and we
# are root (as on CI); otherwise says how. Under CI a missing browser is a failure.
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installation de chromium (paquet Debian) pour les tests dans le navigateur…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  command -v chromium >/dev/null 2>&1 && exit 0
fi
echo "chromium est introuvable. Installez-le : sudo apt-get install chromium (Debian/Ubuntu)," >&2
echo "ou indiquez son chemin dans CYCLADES_CHROMIUM. Sans lui, les tests navigateur sont ignorés." >&2
if [ "${CI:-}" = "true" ]; then
  exit 1
fi
exit 0
