#!/bin/sh
# check-needed.sh READELF CASELINKCTL — fail when caselinkctl links json-glib
# or GIO (DT_NEEDED): either would load GObject, GIO and their libraries on
# every start, for output that ctl-json.c writes on its own.
needed=$("$1" -d "$2" | grep NEEDED) || exit 1
echo "$needed"
if echo "$needed" | grep -E 'lib(json-glib|gio)'; then
  echo "caselinkctl links the libraries above: it should not need them (see ctl/ctl-json.h)" >&2
  exit 1
fi
