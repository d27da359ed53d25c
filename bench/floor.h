/* floor.h — the floor service: caselinkd's I/O without caselinkd's logic,
 * measured on the same bus and disk as caselinkd.
 *
 * It runs libdbus on the GLib main loop through caselinkd's own glue, keeps
 * its database through caselinkd's store (schema, log layer, synchronous=
 * FULL with the sync off the loop and replies held until it is done), and
 * commits Advance calls in groups the way engine.c does (one transaction,
 * each call its own savepoint, a group executing while the last one's log
 * syncs). Each call writes either one small row (issue 7's reference: a
 * minimal libdbus service, one transaction per call at one client, group
 * commit at 16) or the rows of one caselinkd Advance (advance-rows.h) to
 * the case its path names, with no workflow, hashing or GVariant work:
 * what a service writing those rows could reach with caselinkd's design
 * (one thread for everything but the sync) on this machine.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BENCH_FLOOR_NAME "org.caselink.BenchFloor"
#define BENCH_FLOOR_PATH "/org/caselink/BenchFloor"
#define BENCH_FLOOR_IFACE "org.caselink.BenchFloor"

/* Advance is called on BENCH_FLOOR_PATH/N for case N, which the caller
 * first creates with Seed(at cases) (untimed, as caselinkd's clients create
 * theirs); a run's clients take cases from run * BENCH_FLOOR_RUN_CASES on. */
#define BENCH_FLOOR_RUN_CASES 4096

typedef enum {
  BENCH_FLOOR_ONE_ROW,       /* one small row per call */
  BENCH_FLOOR_ADVANCE_ROWS,  /* the rows of one Advance per call */
} BenchFloorRows;

/* Runs in a child process: owns BENCH_FLOOR_NAME on @bus_address, writes
 * one byte to @ready_fd once it answers, serves until the bus goes away.
 * Calls: Seed(at cases) -> (); Advance(s transition, a{sv} fields,
 * s comment) -> (s state). */
G_GNUC_NORETURN void bench_floor_main (const char *bus_address, const char *db_path, BenchFloorRows rows,
                                       int ready_fd);

G_END_DECLS
