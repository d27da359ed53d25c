/* advance-rows.h — the rows one Advance writes, without caselinkd.
 *
 * The benchmark's baselines commit the rows caselinkd commits for an
 * Advance of a reverse_connection case (the history row and, when a
 * deadline starts, its note, the audit head, the deadline row, the changed
 * columns of the case row, the holding agency), by the daemon's statements
 * on the daemon's schema, but with none of its logic: no D-Bus, no hashing,
 * no GVariant. One difference: the audit head is updated once per Advance,
 * where the daemon updates it once per transaction (the same page). The
 * bare SQLite loop and the floor service both use it.
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

/* Creates @path with caselinkd's schema (WAL, synchronous=FULL) and seeds
 * cases 0 .. @pool - 1. NULL with @error set when it cannot. */
BenchRows *bench_rows_open (const char *path, guint pool, GError **error);
/* Works on @db, which has caselinkd's schema and stays the caller's; no
 * case is seeded. */
BenchRows *bench_rows_attach (sqlite3 *db, GError **error);
/* Creates cases @cases[0 .. @n - 1] (numbers; case N is the row with seq
 * N + 1) in non_prosecuted with a running deadline, those not there yet,
 * inside the caller's transaction. */
gboolean bench_rows_seed (BenchRows *r, const guint64 *cases, guint n, GError **error);
/* Writes the rows of step @step_index (of bench_steps, modulo 5) of a
 * seeded case inside the caller's transaction: a caller keeps each case's
 * steps in order, as caselinkd's clients do. */
gboolean bench_rows_write (BenchRows *r, guint64 case_number, guint step_index, GError **error);
sqlite3 *bench_rows_db (BenchRows *r);
void bench_rows_close (BenchRows *r);

G_END_DECLS
