/* floor.h — the floor service: caselinkd's I/O without caselinkd's logic,
 * measured on the same bus and disk as caselinkd.
 *
 * It runs libdbus on the GLib main loop through caselinkd's own glue, keeps
 * its database through caselinkd's store (schema, log layer, synchronous=
 * FULL with the sync off the loop and replies held until it is done), and
 * commits Advance calls in groups the way engine.c does (one transaction,
 * each call its own savepoint, a group executing while the last one's log
 * syncs). Each call writes either one small row (the "minimal libdbus
 * service doing one SQLite transaction per call" of issue 7) or the rows of
 * one caselinkd Advance (advance-rows.h), with no workflow, hashing or
 * GVariant work: what any service writing those rows on this machine could
 * reach at best with caselinkd's design.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BENCH_FLOOR_NAME "org.caselink.BenchFloor"
#define BENCH_FLOOR_PATH "/org/caselink/BenchFloor"
#define BENCH_FLOOR_IFACE "org.caselink.BenchFloor"

typedef enum {
  BENCH_FLOOR_ONE_ROW,       /* one small row per call */
  BENCH_FLOOR_ADVANCE_ROWS,  /* the rows of one Advance per call */
} BenchFloorRows;

/* Runs in a child process: owns BENCH_FLOOR_NAME on @bus_address, writes
 * one byte to @ready_fd once it answers, serves until the bus goes away.
 * Calls: Advance(s transition, a{sv} fields, s comment) -> (s state). */
G_GNUC_NORETURN void bench_floor_main (const char *bus_address, const char *db_path, BenchFloorRows rows,
                                       int ready_fd);

G_END_DECLS
