/* advance-rows.c — the rows one Advance writes, by caselinkd's statements. */
#include "advance-rows.h"
#include "cl-errors.h"
#include "store.h"
#include "wal-vfs.h"

const BenchStep bench_steps[BENCH_N_STEPS] = {
  { "handoff", { "np_decision_no", "青检刑不诉〔2026〕1号", NULL }, "registered" },
  { "review", { NULL }, "reviewing" },
  { "issue_opinion", { "opinion_no", "青检行意〔2026〕1号", "competent_agency", "xn-env", NULL }, "awaiting_reply" },
  { "reply", { "penalty_decision", "penalised", NULL }, "evaluating" },
  { "accept_reply", { NULL }, "closed" },
};

/* The same texts and sizes as the daemon writes for these cases. */
#define FIELDS_TEXT                                                                                       \
  "{'competent_agency': <'xn-env'>, 'domain': <'ecology'>, 'np_decision_no': <'青检刑不诉〔2026〕1号'>, " \
  "'opinion_no': <'青检行意〔2026〕1号'>, 'title': <'Bench case Xining sand mining referral 1234'>}"
#define HISTORY_FIELDS "{'opinion_no': <'青检行意〔2026〕1号'>, 'competent_agency': <'xn-env'>}"
#define HASH "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea"
#define DEADLINE_NOTE                                                                                  \
  "deadline of state reviewing: 10 working days from 2026-11-27 09:30:00 +08:00 (calendar cn), due " \
  "2026-12-11 23:59:59 +08:00; warning at 2026-12-09 23:59:59 +08:00"
#define DEADLINE_SPEC "(int64 1795750200000000, 10, 'working_days', true, 2, 'working_days', @a(sxxis) [])"

/* deadline.c's row: in place when the case has one (store-deadlines.c) */
#define DEADLINE_SQL                                                                                        \
  "INSERT INTO deadlines (case_seq, state, due, warn_at, warned, fired, failed, paused_at, calendar, spec, " \
  "next_at) VALUES (?1, ?2, ?3, ?4, 0, 0, 0, 0, 'cn', ?5, ?4) ON CONFLICT (case_seq) DO UPDATE SET state = ?2, " \
  "due = ?3, warn_at = ?4, warned = 0, fired = 0, failed = 0, paused_at = 0, calendar = 'cn', spec = ?5, "   \
  "next_at = ?4"

static const char *const states[BENCH_N_STEPS] = { "registered", "reviewing", "awaiting_reply", "evaluating",
                                                   "closed" };

struct _BenchRows {
  sqlite3 *db;
  gboolean own_db;
  gint64 gseq;
  GArray *history_count;  /* guint per case number: its history rows so far */
  sqlite3_stmt *insert_case;
  sqlite3_stmt *upd[BENCH_N_STEPS];   /* the case row, per step's columns */
  sqlite3_stmt *history, *head, *dl_put, *dl_del, *agency;
};

static gboolean
fail (BenchRows *r, GError **error, const char *what)
{
  g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "%s: %s", what, sqlite3_errmsg (r->db));
  return FALSE;
}

static gboolean
prepare (BenchRows *r, const char *sql, sqlite3_stmt **stmt, GError **error)
{
  return sqlite3_prepare_v2 (r->db, sql, -1, stmt, NULL) == SQLITE_OK || fail (r, error, "prepare");
}

static void
bind_deadline (sqlite3_stmt *stmt, gint64 seq, const char *state)
{
  gint64 now = g_get_real_time ();

  sqlite3_reset (stmt);
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_text (stmt, 2, state, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now + (gint64) 14 * 86400 * G_USEC_PER_SEC);
  sqlite3_bind_int64 (stmt, 4, now + (gint64) 12 * 86400 * G_USEC_PER_SEC);
  sqlite3_bind_text (stmt, 5, DEADLINE_SPEC, -1, SQLITE_STATIC);
}

static gboolean
step_done (BenchRows *r, sqlite3_stmt *stmt, GError **error, const char *what)
{
  return sqlite3_step (stmt) == SQLITE_DONE || fail (r, error, what);
}

gboolean
bench_rows_seed (BenchRows *r, const guint64 *cases, guint n, GError **error)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("FX-2026-%06" G_GUINT64_FORMAT, cases[i] + 1);

      sqlite3_reset (r->insert_case);
      sqlite3_bind_int64 (r->insert_case, 1, (gint64) cases[i] + 1);
      sqlite3_bind_text (r->insert_case, 2, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (r->insert_case, 3, g_get_real_time ());
      sqlite3_bind_text (r->insert_case, 4, FIELDS_TEXT, -1, SQLITE_STATIC);
      if (!step_done (r, r->insert_case, error, "case insert"))
        return FALSE;
      if (sqlite3_changes (r->db) == 0)
        continue;   /* there already */
      bind_deadline (r->dl_put, (gint64) cases[i] + 1, "non_prosecuted");
      if (!step_done (r, r->dl_put, error, "deadline insert"))
        return FALSE;
      if (cases[i] >= r->history_count->len)
        g_array_set_size (r->history_count, (guint) cases[i] + 1);
    }
  return TRUE;
}

/* Prepares the statements; frees @r on failure. */
static BenchRows *
setup (BenchRows *r, GError **error)
{
  gboolean ok;

  r->history_count = g_array_new (FALSE, TRUE, sizeof (guint));
  ok = prepare (r, DEADLINE_SQL, &r->dl_put, error)
       && prepare (r,
                   "INSERT OR IGNORE INTO cases (seq, id, workflow, version, state, title, domain, agency, "
                   "creator_agency, created, updated, deadline, fields) VALUES (?1, ?2, 'reverse_connection', 1, "
                   "'non_prosecuted', 'Bench case', 'ecology', 'qh-proc', 'qh-proc', ?3, ?3, ?3, ?4)",
                   &r->insert_case, error)
       && prepare (r,
                   "INSERT INTO history (case_seq, seq, time, uid, user, agency, role, action, transition, "
                   "from_state, to_state, comment, fields, hash, gseq, ghash) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                   &r->history, error)
       && prepare (r, "UPDATE audit_head SET count = ?1, hash = ?2 WHERE id = 1", &r->head, error)
       && prepare (r, "DELETE FROM deadlines WHERE case_seq = ?1", &r->dl_del, error)
       && prepare (r, "INSERT OR IGNORE INTO case_agencies (agency, case_seq) VALUES (?1, ?2)", &r->agency, error);
  /* Like the daemon, only the columns each step changes (state,
   * previous_state, updated and the history columns always; the deadline
   * when one stops or starts; the fields when the step sets some; the
   * holder when it changes), so only those indexes are rewritten. */
  for (int k = 0; ok && k < BENCH_N_STEPS; k++)
    {
      g_autoptr(GString) sql = g_string_new ("UPDATE cases SET state = ?4, previous_state = ?5, updated = ?11, "
                                             "history_count = ?15, history_head = ?16");

      if (k <= 3)
        g_string_append (sql, ", deadline = ?12");
      if (bench_steps[k].fields[0] != NULL)
        g_string_append (sql, ", fields = ?14");
      if (k == 2 || k == 4)
        g_string_append (sql, ", agency = ?8");
      g_string_append (sql, " WHERE seq = ?17");
      ok = prepare (r, sql->str, &r->upd[k], error);
    }
  if (!ok)
    {
      bench_rows_close (r);
      return NULL;
    }
  return r;
}

BenchRows *
bench_rows_open (const char *path, guint pool, GError **error)
{
  BenchRows *r;
  CLStore *store = cl_store_open (path, CL_SYNC_FULL, error);   /* the daemon's own schema */

  if (store == NULL)
    return NULL;
  cl_store_close (store);
  r = g_new0 (BenchRows, 1);
  r->own_db = TRUE;
  /* through caselinkd's log layer: each commit one write, as the daemon's */
  if (sqlite3_open_v2 (path, &r->db, SQLITE_OPEN_READWRITE, cl_wal_vfs_name ()) != SQLITE_OK
      || sqlite3_exec (r->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", NULL,
                       NULL, NULL) != SQLITE_OK)
    {
      fail (r, error, path);
      bench_rows_close (r);
      return NULL;
    }
  r = setup (r, error);
  if (r != NULL)
    {
      g_autofree guint64 *cases = g_new (guint64, MAX (pool, 1));
      gboolean ok;

      for (guint i = 0; i < MAX (pool, 1); i++)
        cases[i] = i;
      ok = (sqlite3_exec (r->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK || fail (r, error, "begin"))
           && bench_rows_seed (r, cases, MAX (pool, 1), error)
           && (sqlite3_exec (r->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK || fail (r, error, "commit"));
      if (!ok)
        g_clear_pointer (&r, bench_rows_close);
    }
  return r;
}

BenchRows *
bench_rows_attach (sqlite3 *db, GError **error)
{
  BenchRows *r = g_new0 (BenchRows, 1);

  r->db = db;
  return setup (r, error);
}

gboolean
bench_rows_write (BenchRows *r, guint64 case_number, guint step_index, GError **error)
{
  gint64 seq = 1 + (gint64) case_number;
  int step = (int) (step_index % BENCH_N_STEPS);
  guint *count;
  gint64 when = g_get_real_time ();
  const char *from = step > 0 ? states[step - 1] : "non_prosecuted";
  /* review and issue_opinion enter a state with a deadline (and note it);
   * handoff and reply leave one */
  gboolean starts = step == 1 || step == 2, stops = step == 0 || step == 3;
  sqlite3_stmt *upd = r->upd[step];

  if (case_number >= r->history_count->len)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "case %" G_GUINT64_FORMAT " was not seeded", case_number);
      return FALSE;
    }
  count = &g_array_index (r->history_count, guint, case_number);

  for (int k = 0; k < (starts ? 2 : 1); k++)
    {
      sqlite3_reset (r->history);
      sqlite3_bind_int64 (r->history, 1, seq);
      sqlite3_bind_int64 (r->history, 2, ++*count);
      sqlite3_bind_int64 (r->history, 3, when);
      sqlite3_bind_int64 (r->history, 4, 0);
      sqlite3_bind_text (r->history, 5, "root", -1, SQLITE_STATIC);
      sqlite3_bind_text (r->history, 6, "", -1, SQLITE_STATIC);
      sqlite3_bind_text (r->history, 7, "proc_chief", -1, SQLITE_STATIC);
      sqlite3_bind_text (r->history, 8, k == 0 ? "transition" : "deadline", -1, SQLITE_STATIC);
      sqlite3_bind_text (r->history, 9, k == 0 ? bench_steps[step].transition : "", -1, SQLITE_STATIC);
      sqlite3_bind_text (r->history, 10, k == 0 ? from : states[step], -1, SQLITE_STATIC);
      sqlite3_bind_text (r->history, 11, states[step], -1, SQLITE_STATIC);
      sqlite3_bind_text (r->history, 12, k == 0 ? "" : DEADLINE_NOTE, -1, SQLITE_STATIC);
      sqlite3_bind_text (r->history, 13, k == 0 ? HISTORY_FIELDS : "@a{sv} {}", -1, SQLITE_STATIC);
      sqlite3_bind_text (r->history, 14, HASH, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (r->history, 15, ++r->gseq);
      sqlite3_bind_text (r->history, 16, HASH, -1, SQLITE_STATIC);
      if (!step_done (r, r->history, error, "history insert"))
        return FALSE;
    }
  /* once per Advance here; the daemon writes it once per transaction */
  sqlite3_reset (r->head);
  sqlite3_bind_int64 (r->head, 1, r->gseq);
  sqlite3_bind_text (r->head, 2, HASH, -1, SQLITE_STATIC);
  if (!step_done (r, r->head, error, "audit head"))
    return FALSE;
  if (starts)
    {
      bind_deadline (r->dl_put, seq, states[step]);
      if (!step_done (r, r->dl_put, error, "deadline"))
        return FALSE;
    }
  else if (stops)
    {
      sqlite3_reset (r->dl_del);
      sqlite3_bind_int64 (r->dl_del, 1, seq);
      if (!step_done (r, r->dl_del, error, "deadline delete"))
        return FALSE;
    }
  sqlite3_reset (upd);
  sqlite3_clear_bindings (upd);
  sqlite3_bind_text (upd, 4, states[step], -1, SQLITE_STATIC);
  sqlite3_bind_text (upd, 5, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (upd, 8, step == 2 || step == 3 ? "xn-env" : "qh-proc", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (upd, 11, when);
  sqlite3_bind_int64 (upd, 12, starts ? when + (gint64) 14 * 86400 * G_USEC_PER_SEC : 0);
  sqlite3_bind_text (upd, 14, FIELDS_TEXT, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (upd, 15, *count);
  sqlite3_bind_text (upd, 16, HASH, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (upd, 17, seq);
  if (!step_done (r, upd, error, "case update"))
    return FALSE;
  /* the daemon notes a holder only when it changes */
  if (step == 2 || step == 4)
    {
      sqlite3_reset (r->agency);
      sqlite3_bind_text (r->agency, 1, step == 2 ? "xn-env" : "qh-proc", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (r->agency, 2, seq);
      if (!step_done (r, r->agency, error, "case agencies"))
        return FALSE;
    }
  return TRUE;
}

sqlite3 *
bench_rows_db (BenchRows *r)
{
  return r->db;
}

void
bench_rows_close (BenchRows *r)
{
  if (r == NULL)
    return;
  for (int k = 0; k < BENCH_N_STEPS; k++)
    sqlite3_finalize (r->upd[k]);
  sqlite3_finalize (r->history);
  sqlite3_finalize (r->head);
  sqlite3_finalize (r->dl_put);
  sqlite3_finalize (r->dl_del);
  sqlite3_finalize (r->agency);
  sqlite3_finalize (r->insert_case);
  if (r->history_count != NULL)
    g_array_unref (r->history_count);
  if (r->own_db)
    sqlite3_close (r->db);
  g_free (r);
}
