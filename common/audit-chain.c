/* audit-chain.c — hashing and verifying the history chains. */
#include "audit-chain.h"
#include "cl-errors.h"
#include "sha256.h"

#include <string.h>

/* Decimal digits of @v into the end of @buf; returns where they start. */
static char *
format_unsigned (char *end, guint64 v)
{
  do
    {
      *--end = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v != 0);
  return end;
}

/* "<length>:<bytes>\n" — the framing the chains have always hashed. */
static void
put (ClSha256 *sum, const char *value)
{
  char buf[24];
  char *start;
  gsize n;

  if (value == NULL)
    value = "";
  n = strlen (value);
  buf[sizeof buf - 1] = ':';
  start = format_unsigned (buf + sizeof buf - 1, n);
  cl_sha256_update (sum, start, (gsize) (buf + sizeof buf - start));
  cl_sha256_update (sum, value, n);
  cl_sha256_update (sum, "\n", 1);
}

static void
put_int (ClSha256 *sum, gint64 value)
{
  char buf[24];
  char *start;

  buf[sizeof buf - 1] = '\0';
  start = format_unsigned (buf + sizeof buf - 1, value < 0 ? (guint64) 0 - (guint64) value : (guint64) value);
  if (value < 0)
    *--start = '-';
  put (sum, start);
}

static char *
digest (ClSha256 *sum)
{
  char *out = g_malloc (65);

  cl_sha256_hex (sum, out);
  return out;
}

char *
cl_audit_row_hash (const char *prev_hash, const CLAuditRow *r)
{
  ClSha256 sum;

  cl_sha256_init (&sum);
  cl_sha256_update (&sum, "caselink-history-v1\n", strlen ("caselink-history-v1\n"));
  put (&sum, prev_hash);
  put (&sum, r->case_id);
  put_int (&sum, (gint64) r->seq);
  put_int (&sum, r->time);
  put_int (&sum, r->uid);
  put (&sum, r->user);
  put (&sum, r->agency);
  put (&sum, r->role);
  put (&sum, r->action);
  put (&sum, r->transition);
  put (&sum, r->from_state);
  put (&sum, r->to_state);
  put (&sum, r->comment);
  put (&sum, r->fields_text);
  return digest (&sum);
}

char *
cl_audit_global_hash (const char *prev_global, const char *row_hash)
{
  ClSha256 sum;

  cl_sha256_init (&sum);
  cl_sha256_update (&sum, "caselink-global-v1\n", strlen ("caselink-global-v1\n"));
  put (&sum, prev_global);
  put (&sum, row_hash);
  return digest (&sum);
}

gboolean
cl_audit_parse_head (const char *text, guint64 *count, char **hash, GError **error)
{
  const char *colon = text ? strchr (text, ':') : NULL;
  gsize hlen = colon ? strlen (colon + 1) : 0;

  *count = 0;
  *hash = NULL;
  if (text == NULL || *text == '\0')
    return TRUE;
  g_autofree char *number = colon ? g_strndup (text, colon - text) : NULL;

  if (colon == NULL || colon == text || hlen != 64
      || !g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT64, count, NULL))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS,
                   "a recorded head is COUNT:HASH (as AuditHead gives it), e.g. 42:3f2a…; got '%.80s'", text);
      return FALSE;
    }
  for (const char *c = colon + 1; *c; c++)
    if (!g_ascii_isxdigit (*c) || g_ascii_isupper (*c))
      {
        g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "the head's hash must be 64 lowercase hex digits");
        return FALSE;
      }
  *hash = g_strdup (colon + 1);
  return TRUE;
}

/* ---- verifier --------------------------------------------------------- */

typedef enum { PHASE_CASES, PHASE_GLOBAL, PHASE_DONE } Phase;

struct _CLAuditVerifier {
  sqlite3 *db;
  sqlite3_stmt *by_case;     /* per-case chains, in (case_seq, seq) order */
  sqlite3_stmt *by_gseq;     /* the global chain */
  Phase phase;
  guint64 head_count;
  char *head_hash;
  /* per-case walk */
  gint64 cur_case;
  guint64 cur_seq;
  char *cur_hash;
  gint64 after_case;         /* keyset position */
  guint64 after_seq;
  /* global walk */
  guint64 gseq;
  char *ghash;
  guint64 rows;
  guint64 cases;
  gboolean ok;
  char *report;
};

static void
broken (CLAuditVerifier *v, char *report)
{
  v->ok = FALSE;
  g_free (v->report);
  v->report = report;
  v->phase = PHASE_DONE;
}

CLAuditVerifier *
cl_audit_verifier_new (sqlite3 *db, guint64 head_count, const char *head_hash)
{
  CLAuditVerifier *v = g_new0 (CLAuditVerifier, 1);

  v->db = db;
  v->ok = TRUE;
  v->head_count = head_count;
  v->head_hash = g_strdup (head_hash);
  v->cur_hash = g_strdup ("");
  v->ghash = g_strdup ("");
  v->cur_case = -1;
  if (sqlite3_prepare_v2 (db,
                          "SELECT h.case_seq, h.seq, c.id, h.time, h.uid, h.user, h.agency, h.role, h.action, "
                          "h.transition, h.from_state, h.to_state, h.comment, h.fields, h.hash "
                          "FROM history h LEFT JOIN cases c ON c.seq = h.case_seq "
                          "WHERE (h.case_seq, h.seq) > (?1, ?2) ORDER BY h.case_seq, h.seq LIMIT ?3",
                          -1, &v->by_case, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (db,
                             "SELECT h.gseq, h.hash, h.ghash, c.id, h.seq FROM history h "
                             "LEFT JOIN cases c ON c.seq = h.case_seq "
                             "WHERE h.gseq > ?1 ORDER BY h.gseq LIMIT ?2",
                             -1, &v->by_gseq, NULL) != SQLITE_OK)
    broken (v, g_strdup_printf ("cannot read the history: %s", sqlite3_errmsg (db)));
  return v;
}

void
cl_audit_verifier_free (CLAuditVerifier *v)
{
  if (v == NULL)
    return;
  sqlite3_finalize (v->by_case);
  sqlite3_finalize (v->by_gseq);
  g_free (v->head_hash);
  g_free (v->cur_hash);
  g_free (v->ghash);
  g_free (v->report);
  g_free (v);
}

static const char *
text (sqlite3_stmt *s, int i)
{
  const unsigned char *t = sqlite3_column_text (s, i);
  return t ? (const char *) t : "";
}

static void
step_cases (CLAuditVerifier *v, guint max_rows)
{
  sqlite3_stmt *s = v->by_case;
  guint n = 0;
  int rc;

  sqlite3_reset (s);
  sqlite3_bind_int64 (s, 1, v->after_case);
  sqlite3_bind_int64 (s, 2, (sqlite3_int64) v->after_seq);
  sqlite3_bind_int64 (s, 3, max_rows);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      gint64 case_seq = sqlite3_column_int64 (s, 0);
      guint64 seq = (guint64) sqlite3_column_int64 (s, 1);
      const char *id = text (s, 2);
      CLAuditRow row = {
        id, seq, sqlite3_column_int64 (s, 3), (guint32) sqlite3_column_int64 (s, 4), text (s, 5), text (s, 6),
        text (s, 7), text (s, 8), text (s, 9), text (s, 10), text (s, 11), text (s, 12), text (s, 13),
      };
      g_autofree char *expect = NULL;

      n++;
      v->rows++;
      v->after_case = case_seq;
      v->after_seq = seq;
      if (sqlite3_column_type (s, 2) == SQLITE_NULL)
        {
          broken (v, g_strdup_printf ("history row %" G_GUINT64_FORMAT " belongs to case #%" G_GINT64_FORMAT
                                      ", which no longer exists", seq, case_seq));
          return;
        }
      if (case_seq != v->cur_case)
        {
          v->cur_case = case_seq;
          v->cur_seq = 0;
          g_free (v->cur_hash);
          v->cur_hash = g_strdup ("");
          v->cases++;
        }
      if (seq != v->cur_seq + 1)
        {
          broken (v, g_strdup_printf ("case %s: history row %" G_GUINT64_FORMAT " is missing (rows jump from %"
                                      G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT ")", id, v->cur_seq + 1, v->cur_seq, seq));
          return;
        }
      expect = cl_audit_row_hash (v->cur_hash, &row);
      if (!g_str_equal (expect, text (s, 14)))
        {
          broken (v, g_strdup_printf ("case %s: history row %" G_GUINT64_FORMAT " does not match its hash "
                                      "(the row or one before it was altered)", id, seq));
          return;
        }
      v->cur_seq = seq;
      g_free (v->cur_hash);
      v->cur_hash = g_strdup (text (s, 14));
    }
  if (rc != SQLITE_DONE)
    broken (v, g_strdup_printf ("cannot read the history: %s", sqlite3_errmsg (v->db)));
  else if (n < max_rows)
    v->phase = PHASE_GLOBAL;
}

static void
step_global (CLAuditVerifier *v, guint max_rows)
{
  sqlite3_stmt *s = v->by_gseq;
  guint n = 0;
  int rc;

  sqlite3_reset (s);
  sqlite3_bind_int64 (s, 1, (sqlite3_int64) v->gseq);
  sqlite3_bind_int64 (s, 2, max_rows);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      guint64 gseq = (guint64) sqlite3_column_int64 (s, 0);
      g_autofree char *expect = cl_audit_global_hash (v->ghash, text (s, 1));

      n++;
      if (gseq != v->gseq + 1)
        {
          broken (v, g_strdup_printf ("the global chain misses row %" G_GUINT64_FORMAT " (it jumps to %" G_GUINT64_FORMAT
                                      ", case %s row %" G_GINT64_FORMAT "): a history row was deleted",
                                      v->gseq + 1, gseq, text (s, 3), (gint64) sqlite3_column_int64 (s, 4)));
          return;
        }
      if (!g_str_equal (expect, text (s, 2)))
        {
          broken (v, g_strdup_printf ("case %s: history row %" G_GINT64_FORMAT " breaks the global chain at %"
                                      G_GUINT64_FORMAT, text (s, 3), (gint64) sqlite3_column_int64 (s, 4), gseq));
          return;
        }
      if (v->head_count != 0 && gseq == v->head_count && !g_str_equal (v->head_hash, text (s, 2)))
        {
          broken (v, g_strdup_printf ("the history differs from the recorded head at row %" G_GUINT64_FORMAT
                                      " (case %s row %" G_GINT64_FORMAT ")", gseq, text (s, 3),
                                      (gint64) sqlite3_column_int64 (s, 4)));
          return;
        }
      v->gseq = gseq;
      g_free (v->ghash);
      v->ghash = g_strdup (text (s, 2));
    }
  if (rc != SQLITE_DONE)
    {
      broken (v, g_strdup_printf ("cannot read the history: %s", sqlite3_errmsg (v->db)));
      return;
    }
  if (n == max_rows)
    return;
  if (v->gseq != v->rows)
    {
      broken (v, g_strdup_printf ("%" G_GUINT64_FORMAT " history rows but the global chain holds %" G_GUINT64_FORMAT,
                                  v->rows, v->gseq));
      return;
    }
  if (v->head_count > v->gseq)
    {
      broken (v, g_strdup_printf ("the history ends at row %" G_GUINT64_FORMAT " but the recorded head has %"
                                  G_GUINT64_FORMAT " rows: rows were deleted from the end", v->gseq, v->head_count));
      return;
    }
  v->report = g_strdup_printf ("ok: %" G_GUINT64_FORMAT " history rows of %" G_GUINT64_FORMAT " cases, head %"
                               G_GUINT64_FORMAT ":%s%s", v->rows, v->cases, v->gseq, v->ghash,
                               v->head_count ? "; matches the recorded head" : "");
  v->phase = PHASE_DONE;
}

gboolean
cl_audit_verifier_step (CLAuditVerifier *v, guint max_rows)
{
  if (v->phase == PHASE_CASES)
    step_cases (v, max_rows);
  else if (v->phase == PHASE_GLOBAL)
    step_global (v, max_rows);
  return v->phase == PHASE_DONE;
}

gboolean
cl_audit_verifier_result (CLAuditVerifier *v, const char **report)
{
  if (report != NULL)
    *report = v->report ? v->report : "not finished";
  return v->ok && v->phase == PHASE_DONE;
}
