/* advance-rows.h — the rows one Advance writes, without caselinkd.
 *
 * The benchmark's baselines commit exactly what caselinkd commits for an
 * Advance of a reverse_connection case (the history row and, when a
 * deadline starts, its note, the audit head, the deadline row, the changed
 * columns of the case row, the holding agency), by the daemon's statements
 * on the daemon's schema, but with none of its logic: no D-Bus, no hashing,
 * no GVariant. The bare SQLite loop and the floor service both use it.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* The five Advances that take a reverse_connection case to closed. */
typedef struct {
  const char *transition;
  const char *fields[5];   /* name, value, ..., NULL */
  const char *to;
} BenchStep;

extern const BenchStep bench_steps[];
#define BENCH_N_STEPS 5

typedef struct _BenchRows BenchRows;

/* Creates @path with caselinkd's schema (WAL, synchronous=FULL) and @pool
 * cases in non_prosecuted, each with a running deadline. NULL with @error
 * set when it cannot. */
BenchRows *bench_rows_open (const char *path, guint pool, GError **error);
/* The same on @db, which has caselinkd's schema and stays the caller's. */
BenchRows *bench_rows_attach (sqlite3 *db, guint pool, GError **error);
/* Writes the rows of Advance number @i (step i % 5 of case i / 5 % pool)
 * inside the caller's transaction. */
gboolean bench_rows_write (BenchRows *r, guint i, GError **error);
sqlite3 *bench_rows_db (BenchRows *r);
void bench_rows_close (BenchRows *r);

G_END_DECLS
