# .ci/prepare.sh — sourced by run.sh, test.sh and bench.sh: install the Debian packages
# caselink needs (only those missing), then build into build/.
# Expects to run from the top of the repository.

prepare_packages=(meson ninja-build gcc pkg-config libglib2.0-dev libdbus-1-dev
                  dbus-daemon libsqlite3-dev sqlite3 libyaml-dev libjson-glib-dev
                  tzdata)
prepare_me=$(basename "$0")
# The checkers .ci/run uses after ./test.sh: clang with libFuzzer and the
# sanitizer runtimes (the fuzz build, build-fuzz/) and valgrind (memcheck
# over the integration smoke subset). Installed for test.sh (which .ci/run
# runs first), not for run.sh or bench.sh.
if [ "$prepare_me" = test.sh ]; then
    prepare_packages+=(clang libclang-rt-14-dev valgrind)
fi

prepare_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]
}

# Older Debian ships dbus-daemon inside the "dbus" package.
prepare_dbus_daemon_package() {
    if apt-cache show dbus-daemon >/dev/null 2>&1; then echo dbus-daemon; else echo dbus; fi
}

prepare_install_missing() {
    local missing=() p
    if ! command -v dpkg-query >/dev/null; then
        echo "$prepare_me: not a Debian system; make sure these are installed: ${prepare_packages[*]}" >&2
        return 0
    fi
    for p in "${prepare_packages[@]}"; do
        if [ "$p" = dbus-daemon ] && prepare_installed dbus \
           && command -v dbus-daemon >/dev/null; then
            continue
        fi
        prepare_installed "$p" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "$prepare_me: missing packages: ${missing[*]}" >&2
        echo "$prepare_me: install them as root: apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    echo "$prepare_me: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    missing=("${missing[@]/#dbus-daemon/$(prepare_dbus_daemon_package)}")
    apt-get install -y --no-install-recommends "${missing[@]}"
}

prepare_build() {
    if [ ! -f build/build.ninja ]; then
        # A half-configured build/ (an interrupted setup) needs --wipe.
        if [ -d build/meson-private ]; then
            meson setup --wipe build
        else
            meson setup build
        fi
    fi
    ninja -C build
}
