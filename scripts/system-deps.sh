#!/usr/bin/env bash
# Installs the Debian packages OmniReadarr's tests and converters use:
# Calibre (ebook-convert), unrar/rar (Debian non-free) and unar for CBR, bsdtar,
# Chromium for browser tests, the download clients the adapters are tested against
# (qbittorrent-nox, transmission-daemon, deluged + deluge-web, nzbget), opentracker and mktorrent for
# the tests' loopback swarm, epubcheck (EPUBs made by conversion are validated), the RUM extension
# of each local PostgreSQL server (library search, media/search/pg_rum.py). Idempotent: does
# nothing when all tools are present.
set -euo pipefail

need=()
command -v ebook-convert >/dev/null || need+=(calibre)
command -v unrar >/dev/null || need+=(unrar)
command -v rar >/dev/null || need+=(rar)
command -v unar >/dev/null || need+=(unar)
command -v bsdtar >/dev/null || need+=(libarchive-tools)
command -v chromium >/dev/null || need+=(chromium)
command -v qbittorrent-nox >/dev/null || need+=(qbittorrent-nox)
command -v opentracker >/dev/null || need+=(opentracker)
command -v transmission-daemon >/dev/null || need+=(transmission-daemon)
command -v deluged >/dev/null || need+=(deluged)
command -v deluge-web >/dev/null || need+=(deluge-web)
command -v mktorrent >/dev/null || need+=(mktorrent)
command -v nzbget >/dev/null || need+=(nzbget)
# epubcheck is a Java jar (tests run it as java -jar: binfmt is not active in containers)
[ -f /usr/share/java/epubcheck.jar ] || need+=(epubcheck)
dpkg -s libatomic1 >/dev/null 2>&1 || need+=(libatomic1)
# the RUM index of PostgreSQL library search (media/search/pg_rum.py), for each local PostgreSQL server
for pg in /usr/lib/postgresql/*/; do
  [ -d "$pg" ] || continue
  version="$(basename "$pg")"
  [ -f "$pg/lib/rum.so" ] || need+=("postgresql-$version-rum")
done
dpkg -s python3-venv >/dev/null 2>&1 || command -v python3 >/dev/null || need+=(python3 python3-venv)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing ${need[*]}; run as root (or install them) to enable all features/tests" >&2
  exit 0
fi

# unrar and rar live in Debian's non-free component.
enable_non_free() {
  local f=/etc/apt/sources.list.d/debian.sources
  if [ -f "$f" ] && ! grep -q 'non-free' "$f"; then
    sed -i 's/^Components: main$/Components: main non-free/' "$f"
  elif [ -f /etc/apt/sources.list ] && ! grep -q 'non-free' /etc/apt/sources.list; then
    sed -i -E 's/^(deb .* main)$/\1 non-free/' /etc/apt/sources.list
  fi
}
enable_non_free
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
