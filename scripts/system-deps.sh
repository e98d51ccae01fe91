#!/usr/bin/env bash
# The programs from the system's packages that some tests run for real: a PostgreSQL server
# (the classroom's database) and Chromium (the classroom in a browser). Installs what is
# missing with apt-get when it can (as root on Debian or Ubuntu); otherwise says what to do.
set -uo pipefail

missing=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
    missing+=(postgresql)
fi
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    missing+=(chromium)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]} (apt-get) for the classroom tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    exit $?
fi
echo "the classroom tests need: ${missing[*]} (Debian packages); install them, for example:" >&2
echo "    sudo apt-get install ${missing[*]}" >&2
exit 0
