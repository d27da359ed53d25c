#!/bin/sh
# check-needed.sh READELF CASELINKCTL — fail when caselinkctl loads at start
# a library it should only load on use (see ctl-lazy-libs.c) or not at all.
needed=$("$1" -d "$2" | grep NEEDED) || exit 1
echo "$needed"
if echo "$needed" | grep -E 'lib(sqlite3|yaml|json-glib|gobject|gio)'; then
  echo "caselinkctl loads the libraries above at start: see ctl/ctl-lazy-libs.c" >&2
  exit 1
fi
