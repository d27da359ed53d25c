/* gen-cases.c — fill a caselink database with many realistic cases.
 *
 * Writes through the daemon's own code (store.c, audit.c, deadline.c,
 * registry.c), so the case rows, both hash chains of the history (per case
 * and global), the deadline rows and their notes, case_agencies and the id
 * counters are what caselinkd itself would have written; it only skips
 * D-Bus and the engine's checks. Cases follow real paths through the
 * workflow (every history row is a transition the workflow allows, or a
 * deadline note deadline.c wrote), are spread over its states, five domains
 * and thirty agencies, and carry titles made of varied words so the `text`
 * filter has realistic selectivity (one title in 1,000 names "Qinghai
 * Lake", one in 100,000 "Kekexili").
 *
 *   caselink-gen --db PATH --workflows DIR [--cases N] [--seed S] [--jobs N]
 *                [--due N [--due-state STATE]] [--info FILE]
 *
 * --due N adds N cases all created now in one state, so that their
 * deadlines fall due at the same instant (for the deadline benchmark).
 * Big transactions (20,000 cases per COMMIT), synchronous=OFF, no WAL while
 * generating, one process per core each writing a range of cases into its
 * own file, merged at the end (the global audit chain continued across the
 * parts); the database is left in WAL mode as caselinkd keeps it. --info
 * writes a GKeyFile the benchmark reads: sample ids, counts per state and
 * agency, how many titles hold each search term, the due instant.
 */
#define G_LOG_DOMAIN "caselink-gen"

#include "store.h"
#include "store-private.h"
#include "workflow-loader.h"
#include "engine.h"
#include "case-history.h"
#include "deadline.h"
#include "audit-chain.h"
#include "cl-errors.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <malloc.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASES_PER_COMMIT 20000
#define YEARS_SPAN 5
#define WORKFLOW "reverse_connection"
#define DAY_US (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

/* ---- deterministic random numbers (splitmix64) ------------------------- */

static guint64 rng_state;

static guint64
rnd (void)
{
  guint64 z = (rng_state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static guint
rnd_below (guint n)
{
  return (guint) (rnd () % n);
}

/* Index into @weights (summing to anything) chosen with those weights. */
static guint
rnd_weighted (const guint *weights, guint n)
{
  guint total = 0, r;

  for (guint i = 0; i < n; i++)
    total += weights[i];
  r = rnd_below (total);
  for (guint i = 0; i < n; i++)
    {
      if (r < weights[i])
        return i;
      r -= weights[i];
    }
  return n - 1;
}

/* ---- the spread -------------------------------------------------------- */

static const char *const procuratorates[] = {
  "qh-proc", "xn-proc", "hd-proc", "hb-proc", "hn-proc", "gl-proc", "ys-proc", "hx-proc",
};
static const char *const admin_agencies[] = {
  "xn-psb", "xn-env", "xn-mkt", "xn-tax", "xn-hrss", "xn-agr", "xn-water", "xn-forest",
  "xn-health", "xn-edu", "qh-env", "qh-mkt", "qh-forest", "qh-water", "hd-env", "hd-mkt",
  "hb-env", "hn-env", "gl-env", "ys-env", "hx-env", "hx-mkt",
};

static const char *const domains[] = { "ecology", "business", "livelihood", "minors", "general" };
static const guint domain_weights[] = { 30, 20, 25, 10, 15 };

static const char *const places[] = {
  "Xining", "Haidong", "Golmud", "Delingha", "Yushu", "Maqin", "Gonghe", "Tongren", "Menyuan",
  "Huzhu", "Datong", "Huangyuan", "Ledu", "Minhe", "Guide", "Xunhua", "Qilian", "Gangcha",
  "Tianjun", "Wulan", "Dulan", "Mangya", "Zaduo", "Nangqian", "Qumalai", "Zhiduo", "Banma",
  "Jiuzhi", "Gande", "Dari", "Maduo", "Zeku", "Henan", "Jianzha", "Tongde", "Xinghai",
  "Guinan", "Haiyan", "Huangzhong", "Chengbei",
};
static const char *const subjects[] = {
  "illegal fishing", "sand mining", "unlicensed logging", "pollution discharge", "grassland damage",
  "wildlife trade", "food safety", "counterfeit goods", "price fraud", "unlicensed trading",
  "tax evasion", "wage arrears", "illegal employment", "school safety", "drug sale to minors",
  "internet cafe admitting minors", "medical fraud", "fake medicine", "building safety",
  "fire hazard", "road transport overload", "land occupation", "water extraction",
  "mineral smuggling", "protected plant picking", "noise nuisance", "waste dumping",
  "insurance fraud", "loan sharking", "gambling venue",
};
static const char *const kinds[] = { "case", "referral", "clue", "matter" };

/* A title term and how often a title carries it (1 in @every). */
#define TERM_COMMON "Qinghai Lake"
#define TERM_COMMON_EVERY 1000
#define TERM_RARE "Kekexili"
#define TERM_RARE_EVERY 100000

typedef struct {
  const char *state;
  guint weight;                  /* share of cases, per mille */
  const char *const *path;       /* transitions from the initial state */
} Target;

static const char *const path_none[] = { NULL };
static const char *const path_registered[] = { "handoff", NULL };
static const char *const path_reviewing[] = { "handoff", "review", NULL };
static const char *const path_suspended[] = { "handoff", "review", "suspend", NULL };
static const char *const path_awaiting[] = { "handoff", "review", "issue_opinion", NULL };
static const char *const path_evaluating[] = { "handoff", "review", "issue_opinion", "reply", NULL };
static const char *const path_following[] = { "handoff", "review", "issue_opinion", "reply", "follow_up", NULL };
static const char *const path_closed_short[] = { "handoff", "review", "close_no_penalty", NULL };
static const char *const path_closed_long[] = { "handoff", "review", "issue_opinion", "reply", "accept_reply", NULL };

static const Target targets[] = {
  { "non_prosecuted", 50, path_none },
  { "registered", 50, path_registered },
  { "reviewing", 100, path_reviewing },
  { "suspended", 30, path_suspended },
  { "awaiting_reply", 120, path_awaiting },
  { "evaluating", 50, path_evaluating },
  { "following_up", 50, path_following },
  { "closed", 300, path_closed_short },
  { "closed", 250, path_closed_long },
};

/* ---- options ----------------------------------------------------------- */

typedef struct {
  char *db;
  char *workflows;
  char *info;
  gint64 cases;
  gint64 seed;
  gint64 due;
  char *due_state;
  int jobs;
} Options;

/* ---- one case ---------------------------------------------------------- */

typedef struct {
  CLDaemon d;               /* just what deadline.c needs: store, registry, config */
  CLStore *store;           /* = d.store */
  CLWorkflow *wf;
  gint64 now;
  /* statistics */
  guint64 written;
  guint64 history_rows;
  guint64 overdue;
  guint64 term_common;
  guint64 term_rare;
  gint64 due_min, due_max;  /* deadlines of the --due cases */
  GHashTable *per_state;    /* state -> count (GUINT_TO_POINTER) */
  GHashTable *per_agency;
  GPtrArray *ids;           /* sampled ids, filled by the caller */
  gint64 last_seq;          /* cases.seq of the newest row */
  GHashTable *counters;     /* year -> last number (gint64*), written at each COMMIT */
  GPtrArray *held;          /* agencies that held the case being written, NULL-terminated */
} Gen;

/* The next case number of @year; the counters table gets the final values
 * at each COMMIT (what cl_store_next_number would have left there, without
 * an upsert per case). */
static gint64
next_number (Gen *g, int year)
{
  gint64 *last = g_hash_table_lookup (g->counters, GINT_TO_POINTER (year));

  if (last == NULL)
    {
      sqlite3_stmt *stmt = NULL;

      last = g_new0 (gint64, 1);
      if (sqlite3_prepare_v2 (g->store->db, "SELECT last FROM counters WHERE prefix = ?1 AND year = ?2", -1,
                              &stmt, NULL) == SQLITE_OK)
        {
          sqlite3_bind_text (stmt, 1, g->wf->id_prefix, -1, SQLITE_STATIC);
          sqlite3_bind_int (stmt, 2, year);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            *last = sqlite3_column_int64 (stmt, 0);
        }
      sqlite3_finalize (stmt);
      g_hash_table_insert (g->counters, GINT_TO_POINTER (year), last);
    }
  return ++*last;
}

static gboolean
save_counters (Gen *g, GError **error)
{
  GHashTableIter it;
  gpointer k, v;
  sqlite3_stmt *stmt;

  stmt = cl_store_stmt (g->store, "INSERT INTO counters (prefix, year, last) VALUES (?1, ?2, ?3) "
                        "ON CONFLICT (prefix, year) DO UPDATE SET last = excluded.last", error);
  if (stmt == NULL)
    return FALSE;
  g_hash_table_iter_init (&it, g->counters);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, g->wf->id_prefix, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 2, GPOINTER_TO_INT (k));
      sqlite3_bind_int64 (stmt, 3, *(gint64 *) v);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        return cl_store_fail (g->store, error, "saving counters");
    }
  sqlite3_reset (stmt);
  return TRUE;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The canonical stored form: sorted by name, empty values dropped. */
static GVariant *
fields_variant (GHashTable *t)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GVariantBuilder b;
  GHashTableIter it;
  gpointer k, v;

  g_hash_table_iter_init (&it, t);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, cmp_str);
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < keys->len; i++)
    g_variant_builder_add (&b, "{sv}", (char *) keys->pdata[i], g_hash_table_lookup (t, keys->pdata[i]));
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

static char *
make_title (Gen *g, guint64 n)
{
  const char *place = places[rnd_below (G_N_ELEMENTS (places))];

  /* Exact shares, spread evenly over the table. */
  if (n % TERM_RARE_EVERY == TERM_RARE_EVERY / 2)
    {
      place = TERM_RARE;
      g->term_rare++;
    }
  else if (n % TERM_COMMON_EVERY == TERM_COMMON_EVERY / 3)
    {
      place = TERM_COMMON;
      g->term_common++;
    }
  return g_strdup_printf ("%s %s %s %u", place, subjects[rnd_below (G_N_ELEMENTS (subjects))],
                          kinds[rnd_below (G_N_ELEMENTS (kinds))], 100 + rnd_below (9900));
}

/* Fields a transition's caller gives (what Advance would carry). */
static void
given_fields (const char *transition, GVariantBuilder *given, GHashTable *merged, int year,
              const char *competent)
{
#define GIVE(name, value) G_STMT_START {                                     \
    GVariant *v_ = g_variant_ref_sink (value);                               \
    g_variant_builder_add (given, "{sv}", name, v_);                         \
    g_hash_table_replace (merged, (gpointer) (name), v_);                    \
  } G_STMT_END
  if (g_str_equal (transition, "handoff"))
    GIVE ("np_decision_no", g_variant_new_take_string (
            g_strdup_printf ("青检刑不诉〔%d〕%u号", year, 1 + rnd_below (400))));
  else if (g_str_equal (transition, "suspend"))
    {
      static const char *const triggers[] = { "psb_reconsideration", "victim_petition", "private_prosecution",
                                              "np_person_petition" };
      GIVE ("suspend_trigger", g_variant_new_string (triggers[rnd_below (G_N_ELEMENTS (triggers))]));
      GIVE ("suspend_reason", g_variant_new_string ("公安机关提请复议，待复议结果"));
    }
  else if (g_str_equal (transition, "close_no_penalty"))
    GIVE ("close_reason", g_variant_new_string ("违法行为轻微，已经消除危害后果，无需行政处罚"));
  else if (g_str_equal (transition, "issue_opinion"))
    {
      GIVE ("opinion_no", g_variant_new_take_string (
              g_strdup_printf ("青检行意〔%d〕%u号", year, 1 + rnd_below (400))));
      GIVE ("competent_agency", g_variant_new_string (competent));
    }
  else if (g_str_equal (transition, "reply"))
    {
      gboolean penalised = rnd_below (4) != 0;
      GIVE ("penalty_decision", g_variant_new_string (penalised ? "penalised" : "not_penalised"));
      if (penalised)
        GIVE ("penalty_amount", g_variant_new_double ((double) (500 + 100 * rnd_below (500))));
    }
  else if (g_str_equal (transition, "follow_up"))
    GIVE ("followup_letter_no", g_variant_new_take_string (
            g_strdup_printf ("青检行跟〔%d〕%u号", year, 1 + rnd_below (100))));
#undef GIVE
}

static void
count (GHashTable *t, const char *key)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (t, key));
  g_hash_table_replace (t, (gpointer) key, GUINT_TO_POINTER (n + 1));
}

static const char *
intern_agency (const char *a)
{
  return g_intern_string (a);
}

/* One step of a case, the way engine.c's apply_change() writes it: merge
 * the given fields, move the state, append the history row, then let
 * deadline.c start, stop, pause or resume the state's deadline (which
 * writes its own rows and history notes). */
static gboolean
step (Gen *g, CLCaseRecord *rec, GHashTable *merged, const CLTransition *tr, GVariant *given,
      const CLIdentity *who, const char *role, const char *comment, gint64 t, GError **error)
{
  g_autoptr(CLHistoryRecord) h = g_new0 (CLHistoryRecord, 1);
  g_autofree char *from = g_strdup (rec->state);

  g_clear_pointer (&rec->fields, g_variant_unref);
  rec->fields = fields_variant (merged);
  if (!g_str_equal (tr->to, rec->state))
    {
      g_free (rec->previous_state);
      rec->previous_state = rec->state;
      rec->state = g_strdup (tr->to);
    }
  g_free (rec->agency);
  rec->agency = cl_engine_holder (g->wf, rec->state, rec->fields, rec->creator_agency);
  rec->updated = t;
  /* Every agency that held the case may see it (case_agencies). */
  if (*rec->agency != '\0' && !g_strv_contains ((const char *const *) g->held->pdata, rec->agency))
    g_ptr_array_insert (g->held, (gint) g->held->len - 1, g_strdup (rec->agency));

  h->time = t;
  h->uid = who->uid;
  h->user = g_strdup (who->user);
  h->agency = g_strdup (who->agency);
  h->role = g_strdup (role);
  h->action = g_strdup ("transition");
  h->transition = g_strdup (tr->name);
  h->from_state = g_strdup (from);
  h->to_state = g_strdup (rec->state);
  h->comment = g_strdup (comment);
  h->fields = g_variant_ref_sink (given);
  return cl_store_append_history (g->store, rec, h, error)
         && cl_deadline_on_transition (&g->d, rec, g->wf, from, tr, who, role, t, error);
}

/* What the scheduler would have done by now with the case's running
 * deadline (it was running all along): the warning, the expiry with its
 * history note, and an on_expire transition fired by the system actor. */
static gboolean
expire (Gen *g, CLCaseRecord *rec, GHashTable *merged, GError **error)
{
  for (guint guard = 0; guard < 8; guard++)
    {
      g_autoptr(CLDeadlineRow) row = cl_store_get_deadline (g->store, rec->seq, error);
      const CLState *st;
      const CLTransition *tr;
      g_autofree char *due = NULL, *note = NULL;

      if (row == NULL)
        return error == NULL || *error == NULL;
      if (row->paused_at != 0 || row->fired)
        return TRUE;
      if (row->due > g->now)
        {
          if (row->warn_at > 0 && row->warn_at <= g->now && !row->warned)
            {
              row->warned = TRUE;
              return cl_store_put_deadline (g->store, row, error);
            }
          return TRUE;
        }
      due = cl_deadline_format (&g->d, row->due);
      note = g_strdup_printf ("deadline of state %s missed: it was due %s; processed on time", row->state, due);
      row->fired = row->warned = TRUE;
      rec->overdue = TRUE;
      if (!cl_case_note (g->store, rec, cl_system_identity (), "system", "deadline", note, row->due, error)
          || !cl_store_put_deadline (g->store, row, error))
        return FALSE;
      g->overdue++;
      st = cl_workflow_state (g->wf, row->state);
      if (st == NULL || st->deadline == NULL || st->deadline->on_expire == NULL)
        return TRUE;
      tr = cl_workflow_transition (g->wf, st->deadline->on_expire);
      if (tr == NULL || !cl_transition_leaves (tr, rec->state))
        return TRUE;
      g->overdue--;   /* the transition clears it */
      if (!step (g, rec, merged, tr, g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0), cl_system_identity (),
                 "system", "fired on expiry of the deadline", row->due, error))
        return FALSE;
      if (rec->overdue)
        g->overdue++;
    }
  return TRUE;
}

/* Write one case created at @created that walks @path, its steps spread
 * until @last (the time of the last step). */
static gboolean
write_case (Gen *g, guint64 n, gint64 created, gint64 last, const char *const *path, char **id_out,
            GError **error)
{
  g_autoptr(CLCaseRecord) rec = g_new0 (CLCaseRecord, 1);
  g_autoptr(GHashTable) merged = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) g_variant_unref);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (created / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, g->d.config.tz);
  const char *creator = procuratorates[rnd_below (G_N_ELEMENTS (procuratorates))];
  const char *competent = admin_agencies[rnd_below (G_N_ELEMENTS (admin_agencies))];
  guint user_no = rnd_below (50), agency_user = rnd_below (20);
  g_autofree char *user = g_strdup_printf ("proc%02u", user_no);
  g_autofree char *agency_user_name = g_strdup_printf ("agency%02u", agency_user);
  char *no_roles[] = { NULL };
  CLIdentity proc = { .uid = 1000 + user_no, .user = user, .agency = (char *) creator, .roles = no_roles,
                      .known = TRUE };
  CLIdentity head = { .uid = 2000 + agency_user, .user = agency_user_name, .agency = (char *) competent,
                      .roles = no_roles, .known = TRUE };
  int year = g_date_time_get_year (local);
  guint n_steps = g_strv_length ((char **) path);
  gint64 planned, t = created;
  GVariantBuilder given;

  /* CreateCase: the row's first form and the "created" history row. */
  {
    g_autoptr(CLHistoryRecord) h = g_new0 (CLHistoryRecord, 1);
    GVariant *title = g_variant_ref_sink (g_variant_new_take_string (make_title (g, n)));
    GVariant *domain = g_variant_ref_sink (
      g_variant_new_string (domains[rnd_weighted (domain_weights, G_N_ELEMENTS (domains))]));

    g_variant_builder_init (&given, G_VARIANT_TYPE_VARDICT);
    g_variant_builder_add (&given, "{sv}", "title", title);
    g_variant_builder_add (&given, "{sv}", "domain", domain);
    g_hash_table_replace (merged, (gpointer) "title", title);
    g_hash_table_replace (merged, (gpointer) "domain", domain);

    rec->id = g_strdup_printf ("%s-%d-%06" G_GINT64_FORMAT, g->wf->id_prefix, year, next_number (g, year));
    rec->workflow = g_strdup (g->wf->name);
    rec->version = g->wf->version;
    rec->state = g_strdup (g->wf->initial->name);
    rec->previous_state = g_strdup ("");
    rec->fields = fields_variant (merged);
    rec->title = g_variant_dup_string (title, NULL);
    rec->domain = g_variant_dup_string (domain, NULL);
    rec->creator_agency = g_strdup (creator);
    rec->agency = cl_engine_holder (g->wf, rec->state, rec->fields, creator);
    rec->created = rec->updated = created;
    g_ptr_array_set_size (g->held, 0);
    g_ptr_array_add (g->held, NULL);
    /* The row goes in once, at the end, in its final form; the history
     * and deadline rows before it refer to its coming seq (checked when
     * it is inserted; foreign keys are off while generating). */
    rec->seq = planned = ++g->last_seq;

    h->time = t;
    h->uid = proc.uid;
    h->user = g_strdup (proc.user);
    h->agency = g_strdup (proc.agency);
    h->role = g_strdup ("proc_criminal");
    h->action = g_strdup ("created");
    h->to_state = g_strdup (rec->state);
    h->fields = g_variant_ref_sink (g_variant_builder_end (&given));
    if (!cl_store_append_history (g->store, rec, h, error)
        || !cl_deadline_on_create (&g->d, rec, g->wf, &proc, "proc_criminal", t, error))
      return FALSE;
  }

  for (guint i = 0; i < n_steps; i++)
    {
      const CLTransition *tr = cl_workflow_transition (g->wf, path[i]);
      gboolean by_agency;

      if (tr == NULL || !cl_transition_leaves (tr, rec->state))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "workflow %s: no transition %s from %s",
                       g->wf->name, path[i], rec->state);
          return FALSE;
        }
      t = created + (last - created) * (gint64) (i + 1) / (gint64) n_steps;
      by_agency = tr->by != NULL && g_strv_contains ((const char *const *) tr->by, "agency_head");
      g_variant_builder_init (&given, G_VARIANT_TYPE_VARDICT);
      given_fields (path[i], &given, merged, year, competent);
      if (!step (g, rec, merged, tr, g_variant_builder_end (&given), by_agency ? &head : &proc,
                 tr->by != NULL && tr->by[0] != NULL ? tr->by[0] : "", "", t, error))
        return FALSE;
    }
  if (!expire (g, rec, merged, error))
    return FALSE;

  /* The row, and (as its first and every later write would have) every
   * agency that created or held it. */
  if (!cl_store_insert_case (g->store, rec, error))
    return FALSE;
  if (rec->seq != planned)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "case %s got seq %" G_GINT64_FORMAT ", expected %"
                   G_GINT64_FORMAT, rec->id, rec->seq, planned);
      return FALSE;
    }
  for (guint i = 0; i + 1 < g->held->len; i++)
    {
      sqlite3_stmt *stmt = cl_store_stmt (g->store, "INSERT OR IGNORE INTO case_agencies (agency, case_seq) "
                                          "VALUES (?1, ?2)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, g->held->pdata[i], -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, rec->seq);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        return cl_store_fail (g->store, error, "recording who held a case");
      sqlite3_reset (stmt);
    }

  g->written++;
  g->history_rows += rec->history_count;
  count (g->per_state, g_intern_string (rec->state));
  count (g->per_agency, intern_agency (rec->agency));
  if (id_out != NULL)
    *id_out = g_steal_pointer (&rec->id);
  return TRUE;
}

static const Target *
pick_target (void)
{
  static guint weights[G_N_ELEMENTS (targets)];

  if (weights[0] == 0)
    for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
      weights[i] = targets[i].weight;
  return &targets[rnd_weighted (weights, G_N_ELEMENTS (targets))];
}

static const char *const *
path_to (const char *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    if (g_str_equal (targets[i].state, state))
      return targets[i].path;
  return NULL;
}

static gboolean
exec_sql (CLStore *store, const char *sql, GError **error)
{
  char *msg = NULL;

  if (sqlite3_exec (store->db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "%s: %s", sql, msg ? msg : "?");
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

/* Creation time of case @n of @cases (spread over the last YEARS_SPAN
 * years, growing with n: ids and seq agree with time). */
static gint64
created_at (gint64 now, guint64 n, gint64 cases)
{
  gint64 span = (gint64) YEARS_SPAN * 365 * DAY_US;

  if (n >= (guint64) cases)
    return now;   /* --due cases: every deadline starts at the same instant */
  return now - span + (gint64) ((double) span * 0.98 * (double) n / (double) MAX (cases, 1));
}

static int
year_of (GTimeZone *tz, gint64 us)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);

  return g_date_time_get_year (local);
}

static void
write_info (Gen *g, const char *path, gint64 due)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  GHashTableIter it;
  gpointer k, v;

  g_key_file_set_int64 (kf, "cases", "total", (gint64) g->written);
  g_key_file_set_int64 (kf, "cases", "history_rows", (gint64) g->history_rows);
  g_key_file_set_int64 (kf, "cases", "overdue", (gint64) g->overdue);
  g_key_file_set_string (kf, "cases", "workflow", g->wf->name);
  if (due > 0)
    {
      g_key_file_set_int64 (kf, "due", "count", due);
      g_key_file_set_int64 (kf, "due", "first", g->due_min);
      g_key_file_set_int64 (kf, "due", "last", g->due_max);
    }
  /* "<case index> <id>": the parts' samples sort together */
  for (guint i = 0; i < g->ids->len; i++)
    {
      const char *entry = g_ptr_array_index (g->ids, i);
      g_autofree char *key = g_strndup (entry, 20);
      g_key_file_set_string (kf, "samples", key, entry + 21);
    }
  g_key_file_set_string (kf, "terms", "common", TERM_COMMON);
  g_key_file_set_int64 (kf, "terms", "common_count", (gint64) g->term_common);
  g_key_file_set_string (kf, "terms", "rare", TERM_RARE);
  g_key_file_set_int64 (kf, "terms", "rare_count", (gint64) g->term_rare);
  g_hash_table_iter_init (&it, g->per_state);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_key_file_set_int64 (kf, "states", k, GPOINTER_TO_UINT (v));
  g_hash_table_iter_init (&it, g->per_agency);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_key_file_set_int64 (kf, "agencies", k, GPOINTER_TO_UINT (v));
  if (!g_key_file_save_to_file (kf, path, &error))
    g_printerr ("caselink-gen: %s\n", error->message);
}

/* Add the counts of @part into @sum (both GKeyFiles from write_info). */
static void
merge_info (GKeyFile *sum, GKeyFile *part)
{
  static const char *const summed[] = { "cases", "states", "agencies", "terms" };
  g_auto(GStrv) keys = NULL;

  for (guint gi = 0; gi < G_N_ELEMENTS (summed); gi++)
    {
      g_auto(GStrv) names = g_key_file_get_keys (part, summed[gi], NULL, NULL);
      for (char **k = names; k != NULL && *k != NULL; k++)
        {
          g_autofree char *text = g_key_file_get_value (part, summed[gi], *k, NULL);
          char *end = NULL;
          gint64 v = g_ascii_strtoll (text, &end, 10);

          if (end == text || *end != '\0')
            g_key_file_set_value (sum, summed[gi], *k, text);   /* a name, not a count */
          else
            g_key_file_set_int64 (sum, summed[gi], *k, v + g_key_file_get_int64 (sum, summed[gi], *k, NULL));
        }
    }
  keys = g_key_file_get_keys (part, "samples", NULL, NULL);
  for (char **k = keys; k != NULL && *k != NULL; k++)
    {
      g_autofree char *v = g_key_file_get_string (part, "samples", *k, NULL);
      g_key_file_set_string (sum, "samples", *k, v);
    }
  if (g_key_file_has_group (part, "due"))
    {
      gint64 first = g_key_file_get_int64 (part, "due", "first", NULL);
      gint64 last = g_key_file_get_int64 (part, "due", "last", NULL);

      if (!g_key_file_has_key (sum, "due", "first", NULL) || first < g_key_file_get_int64 (sum, "due", "first", NULL))
        g_key_file_set_int64 (sum, "due", "first", first);
      if (last > g_key_file_get_int64 (sum, "due", "last", NULL))
        g_key_file_set_int64 (sum, "due", "last", last);
      g_key_file_set_int64 (sum, "due", "count", g_key_file_get_int64 (part, "due", "count", NULL));
    }
}

typedef struct {
  const Options *o;
  guint part;
  guint parts;
  guint64 first, end;   /* case indexes [first, end) of the whole run */
  const char *db;
  const char *info;
  gint64 now;           /* the same instant in every part */
} Part;

/* Write cases [p->first, p->end) into p->db: one process of a parallel
 * run. Their seqs and id numbers are those a single process would give
 * them, so the parts merge by plain INSERT ... SELECT. */
static int
run_part (const Part *p)
{
  const Options *o = p->o;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  Gen g = { 0 };
  gint64 t0;
  const guint n_samples = 9;

  /* A stream of its own per part, the same on every run. */
  rng_state = (guint64) o->seed * 1000003u + p->part;
  /* The daemon's defaults (time zone, calendar) without a config file. */
  if (!cl_config_load (&g.d.config, "/nonexistent/caselink-gen.conf", FALSE, &error))
    goto fail_early;
  g.d.store = g.store = cl_store_open (p->db, CL_SYNC_OFF, &error);
  if (g.store == NULL)
    goto fail_early;
  /* Loads the workflows and calendars as caselinkd does, and stores each
   * definition so the daemon serves these cases. */
  g.d.registry = cl_registry_new (g.store);
  {
    const char *dirs[] = { o->workflows, NULL };
    cl_registry_load (g.d.registry, dirs, g.d.config.calendar, FALSE, errors, NULL);
    for (guint i = 0; i < errors->len && p->part == 0; i++)
      g_printerr ("caselink-gen: %s\n", (char *) errors->pdata[i]);
  }
  g.wf = cl_registry_newest (g.d.registry, WORKFLOW);
  if (g.wf == NULL)
    {
      g_printerr ("caselink-gen: no workflow %s in %s\n", WORKFLOW, o->workflows);
      return 1;
    }
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    if (cl_workflow_state (g.wf, targets[i].state) == NULL)
      {
        g_printerr ("caselink-gen: %s has no state %s (the generator knows reverse_connection)\n", WORKFLOW,
                    targets[i].state);
        return 1;
      }

  g.now = p->now;
  g.due_min = G_MAXINT64;
  g.due_max = 0;
  g.per_state = g_hash_table_new (g_str_hash, g_str_equal);
  g.per_agency = g_hash_table_new (g_str_hash, g_str_equal);
  g.ids = g_ptr_array_new_with_free_func (g_free);
  g.counters = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  g.held = g_ptr_array_new_with_free_func (g_free);
  /* The numbers the earlier parts hand out, per year. */
  for (guint64 n = 0; n < p->first; n++)
    {
      int year = year_of (g.d.config.tz, created_at (g.now, n, o->cases));
      gint64 *last = g_hash_table_lookup (g.counters, GINT_TO_POINTER (year));

      if (last == NULL)
        g_hash_table_insert (g.counters, GINT_TO_POINTER (year), last = g_new0 (gint64, 1));
      ++*last;
    }
  g.last_seq = (gint64) p->first;

  /* Generation only: a big page cache, no fsync, no WAL (the database goes
   * back to WAL mode at the end, as caselinkd keeps it), and no foreign key
   * checks: the history and deadline rows of a case are written before its
   * row, under the seq it then gets (checked). */
  if (!exec_sql (g.store, "PRAGMA cache_size=-262144", &error)
      || !exec_sql (g.store, "PRAGMA journal_mode=OFF", &error)
      || !exec_sql (g.store, "PRAGMA foreign_keys=OFF", &error))
    goto fail;

  /* A later part's first row must get seq first + 1, not 1: a placeholder
   * row holds seq @first until then. */
  if (p->first > 0)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO cases (seq, id, workflow, version, state, created, updated) "
                                              "VALUES (%" G_GUINT64_FORMAT ", '#placeholder', '', 0, '', 0, 0)",
                                              p->first);
      if (!exec_sql (g.store, sql, &error))
        goto fail;
    }

  t0 = g_get_monotonic_time ();
  for (guint64 n = p->first; n < p->end; n++)
    {
      gboolean due = n >= (guint64) o->cases;
      const Target *target = due ? NULL : pick_target ();
      const char *const *path = due ? path_to (o->due_state) : target->path;
      guint n_steps = g_strv_length ((char **) path);
      gint64 created = created_at (g.now, n, o->cases), last = created;
      char *id = NULL;
      gboolean sample;

      if (!due)
        {
          for (guint i = 0; i < n_steps; i++)
            last += (gint64) (3600 + rnd_below (10 * 86400)) * G_USEC_PER_SEC;
          /* A case still open moved last within the past two months. */
          if (n_steps > 0 && !cl_workflow_state (g.wf, target->state)->final)
            last = MAX (last, g.now - (gint64) rnd_below (60 * 86400) * G_USEC_PER_SEC);
          last = MIN (last, g.now - 60 * G_USEC_PER_SEC);
          last = MAX (last, created);
        }
      if ((n - p->first) % CASES_PER_COMMIT == 0 && !cl_store_begin (g.store, &error))
        goto fail;
      sample = o->cases > 0 && !due && (n == 0 || n == (guint64) o->cases - 1
                                        || n % MAX ((guint64) o->cases / (n_samples - 1), 1) == 0);
      if (!write_case (&g, n, created, last, path, sample ? &id : NULL, &error))
        goto fail;
      if (n == p->first && p->first > 0 && !exec_sql (g.store, "DELETE FROM cases WHERE id = '#placeholder'", &error))
        goto fail;
      if (id != NULL)
        g_ptr_array_add (g.ids, g_strdup_printf ("%020" G_GUINT64_FORMAT " %s", n, id));
      g_free (id);
      if (due)
        {
          g_autoptr(CLDeadlineRow) row = cl_store_get_deadline (g.store, g.last_seq, NULL);

          if (row != NULL)
            {
              g.due_min = MIN (g.due_min, row->due);
              g.due_max = MAX (g.due_max, row->due);
            }
        }
      if ((n + 1 - p->first) % CASES_PER_COMMIT == 0 || n + 1 == p->end)
        {
          if (!save_counters (&g, &error) || !cl_store_commit (g.store, &error))
            goto fail;
          if (p->part == 0 && (n + 1 - p->first) % 100000 == 0)
            g_printerr ("caselink-gen: %" G_GUINT64_FORMAT " cases in each of %u processes, %.1f s\n",
                        n + 1 - p->first, p->parts, (double) (g_get_monotonic_time () - t0) / 1e6);
        }
    }
  if (o->due > 0 && g.due_max == 0)
    {
      g_printerr ("caselink-gen: state %s has no deadline\n", o->due_state);
      goto fail;
    }
  write_info (&g, p->info, o->due);
  cl_registry_free (g.d.registry);
  cl_store_close (g.store);
  cl_config_clear (&g.d.config);
  g_hash_table_unref (g.per_state);
  g_hash_table_unref (g.per_agency);
  g_hash_table_unref (g.counters);
  g_ptr_array_unref (g.held);
  g_ptr_array_unref (g.ids);
  return 0;

fail:
  if (cl_store_in_transaction (g.store))
    cl_store_rollback (g.store);
fail_early:
  g_printerr ("caselink-gen: %s\n", error ? error->message : "failed");
  return 1;
}

/* The global audit chain across parts: each part chained its own rows from
 * an empty head; merged, they continue the chain of the parts before. */
typedef struct {
  char *hash;
} Chain;

static void
chain_fn (sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
  Chain *c = sqlite3_user_data (ctx);
  char *next = cl_audit_global_hash (c->hash, (const char *) sqlite3_value_text (argv[0]));

  g_free (c->hash);
  c->hash = next;
  sqlite3_result_text (ctx, next, -1, SQLITE_TRANSIENT);
}

static gboolean
query_head (CLStore *store, const char *sql, gint64 *count, char **hash, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return cl_store_fail (store, error, "reading the audit head");
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *count = sqlite3_column_int64 (stmt, 0);
      g_free (*hash);
      *hash = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    return cl_store_fail (store, error, "reading the audit head");
  return TRUE;
}

/* Append the rows of every other part's database to part 0's (the target). */
static gboolean
merge_parts (const char *db, char **part_dbs, guint parts, GError **error)
{
  g_autoptr(CLStore) store = cl_store_open (db, CL_SYNC_OFF, error);
  Chain chain = { NULL };
  gboolean ok = FALSE;

  if (store == NULL)
    return FALSE;
  if (!exec_sql (store, "PRAGMA cache_size=-262144", error) || !exec_sql (store, "PRAGMA journal_mode=OFF", error)
      || !exec_sql (store, "PRAGMA foreign_keys=OFF", error))
    return FALSE;
  if (sqlite3_create_function (store->db, "bench_chain", 1, SQLITE_UTF8, &chain, chain_fn, NULL, NULL) != SQLITE_OK)
    return cl_store_fail (store, error, "registering a function");
  for (guint k = 1; k < parts; k++)
    {
      g_autofree char *insert = NULL, *head = NULL, *last = NULL;
      gint64 count = 0, part_count = 0, last_gseq = 0;
      sqlite3_stmt *stmt;
      int rc;

      if (sqlite3_prepare_v2 (store->db, "ATTACH ?1 AS part", -1, &stmt, NULL) != SQLITE_OK)
        return cl_store_fail (store, error, "attaching a part");
      sqlite3_bind_text (stmt, 1, part_dbs[k], -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        return cl_store_fail (store, error, "attaching a part");
      if (!query_head (store, "SELECT count, hash FROM main.audit_head", &count, &chain.hash, error)
          || !query_head (store, "SELECT count, hash FROM part.audit_head", &part_count, &head, error))
        goto out;
      /* Rows in gseq order, which within a part is the primary key's order
       * (cases are written one after the other, each its rows in seq
       * order): a sequential scan, no sort, so the chain function sees the
       * rows in that order (checked below against the head). */
      insert = g_strdup_printf (
        "INSERT INTO main.history (case_seq, seq, time, uid, user, agency, role, action, transition, from_state, "
        "to_state, comment, fields, hash, gseq, ghash) "
        "SELECT case_seq, seq, time, uid, user, agency, role, action, transition, from_state, to_state, comment, "
        "fields, hash, gseq + %" G_GINT64_FORMAT ", bench_chain (hash) FROM part.history ORDER BY case_seq, seq",
        count);
      if (!exec_sql (store, "BEGIN", error)
          || !exec_sql (store, "INSERT INTO main.cases SELECT * FROM part.cases ORDER BY seq", error)
          || !exec_sql (store, insert, error)
          || !exec_sql (store, "INSERT INTO main.deadlines SELECT * FROM part.deadlines ORDER BY case_seq", error)
          || !exec_sql (store, "INSERT INTO main.case_agencies SELECT * FROM part.case_agencies", error)
          || !exec_sql (store, "INSERT INTO main.counters SELECT * FROM part.counters WHERE true "
                        "ON CONFLICT (prefix, year) DO UPDATE SET last = max(last, excluded.last)", error)
          || !query_head (store, "SELECT gseq, ghash FROM main.history INDEXED BY history_gseq ORDER BY gseq DESC "
                          "LIMIT 1", &last_gseq, &last, error))
        goto out;
      if (last_gseq != count + part_count || g_strcmp0 (last, chain.hash) != 0)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "the merged audit chain does not add up (%" G_GINT64_FORMAT
                       " rows, expected %" G_GINT64_FORMAT ")", last_gseq, count + part_count);
          goto out;
        }
      {
        g_autofree char *sql = g_strdup_printf ("UPDATE main.audit_head SET count = %" G_GINT64_FORMAT ", hash = '%s'",
                                                last_gseq, chain.hash);
        if (!exec_sql (store, sql, error) || !exec_sql (store, "COMMIT", error) || !exec_sql (store, "DETACH part", error))
          goto out;
      }
    }
  ok = TRUE;
out:
  if (!ok && !sqlite3_get_autocommit (store->db))
    exec_sql (store, "ROLLBACK", NULL);
  g_free (chain.hash);
  return ok;
}

static void
quiet (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

int
main (int argc, char **argv)
{
  Options o = { .cases = 1000000, .seed = 7 };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- fill a caselink database for the benchmark");
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &o.db, "Database to create (must not exist)", "PATH" },
    { "workflows", 0, 0, G_OPTION_ARG_FILENAME, &o.workflows,
      "Workflow directory (with calendars/) holding " WORKFLOW ".yaml", "DIR" },
    { "cases", 0, 0, G_OPTION_ARG_INT64, &o.cases, "Cases spread over the states (default 1000000)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o.seed, "Random seed (default 7)", "S" },
    { "due", 0, 0, G_OPTION_ARG_INT64, &o.due,
      "Extra cases, all created now in --due-state, so their deadlines fall due at one instant", "N" },
    { "due-state", 0, 0, G_OPTION_ARG_STRING, &o.due_state, "State of the --due cases (default non_prosecuted)",
      "STATE" },
    { "jobs", 0, 0, G_OPTION_ARG_INT, &o.jobs, "Processes writing in parallel (default: the cores, at most 8)", "N" },
    { "info", 0, 0, G_OPTION_ARG_FILENAME, &o.info, "Write a summary (GKeyFile) here", "FILE" },
    { NULL },
  };
  g_autoptr(GKeyFile) sum = g_key_file_new ();
  g_autoptr(GPtrArray) part_dbs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) part_infos = g_ptr_array_new_with_free_func (g_free);
  GPid *pids;
  gint64 t0, now;
  guint64 total;
  guint parts;
  int failed = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || o.db == NULL || o.workflows == NULL
      || o.cases < 0 || o.due < 0)
    {
      g_printerr ("caselink-gen: %s\n", error ? error->message : "need --db and --workflows");
      return 2;
    }
  if (g_file_test (o.db, G_FILE_TEST_EXISTS))
    {
      g_printerr ("caselink-gen: %s exists; give a new path\n", o.db);
      return 2;
    }
  if (o.due_state == NULL)
    o.due_state = g_strdup ("non_prosecuted");
  if (o.due > 0 && path_to (o.due_state) == NULL)
    {
      g_printerr ("caselink-gen: --due-state %s: not a state the generator can reach\n", o.due_state);
      return 2;
    }
  /* SQLite's page cache grows to hundreds of MB here; without these glibc
   * keeps returning the top of the heap and faulting it back in. */
  mallopt (M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
  mallopt (M_TOP_PAD, 64 * 1024 * 1024);
  mallopt (M_MMAP_THRESHOLD, 64 * 1024 * 1024);
  /* deadline.c notes, once per year, that the holiday calendar does not
   * cover the years before it: true, and not news here. */
  g_log_set_handler ("caselink-deadline", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, quiet, NULL);

  total = (guint64) (o.cases + o.due);
  if (o.jobs <= 0)
    o.jobs = (int) CLAMP (sysconf (_SC_NPROCESSORS_ONLN), 1, 8);
  parts = total < 20000 ? 1 : (guint) o.jobs;
  now = g_get_real_time ();
  t0 = g_get_monotonic_time ();
  pids = g_new0 (GPid, parts);
  for (guint k = 0; k < parts; k++)
    {
      Part p = { &o, k, parts, total * k / parts, total * (k + 1) / parts, NULL, NULL, now };

      g_ptr_array_add (part_dbs, k == 0 ? g_strdup (o.db) : g_strdup_printf ("%s.part%u", o.db, k));
      g_ptr_array_add (part_infos, g_strdup_printf ("%s.part%u.info", o.db, k));
      p.db = part_dbs->pdata[k];
      p.info = part_infos->pdata[k];
      if (k > 0)
        g_unlink (p.db);
      if (parts == 1)
        {
          if (run_part (&p) != 0)
            failed++;
          continue;
        }
      fflush (stdout);
      fflush (stderr);
      pids[k] = fork ();
      if (pids[k] < 0)
        {
          g_printerr ("caselink-gen: fork: %s\n", g_strerror (errno));
          return 1;
        }
      if (pids[k] == 0)
        {
          /* A part never outlives the run it belongs to. */
          prctl (PR_SET_PDEATHSIG, SIGTERM);
          if (getppid () == 1)
            _exit (1);
          _exit (run_part (&p));
        }
    }
  for (guint k = 0; k < parts && parts > 1; k++)
    {
      int status = 0;

      while (waitpid (pids[k], &status, 0) < 0 && errno == EINTR)
        ;
      if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        failed++;
    }
  g_free (pids);
  if (failed == 0 && parts > 1)
    {
      gint64 tm = g_get_monotonic_time ();

      if (!merge_parts (o.db, (char **) part_dbs->pdata, parts, &error))
        {
          g_printerr ("caselink-gen: merging: %s\n", error->message);
          failed++;
        }
      else
        g_printerr ("caselink-gen: %u parts written in %.1f s, merged in %.1f s\n", parts,
                    (double) (tm - t0) / 1e6, (double) (g_get_monotonic_time () - tm) / 1e6);
    }
  for (guint k = 0; k < parts; k++)
    {
      g_autoptr(GKeyFile) kf = g_key_file_new ();

      if (g_key_file_load_from_file (kf, part_infos->pdata[k], G_KEY_FILE_NONE, NULL))
        merge_info (sum, kf);
      g_unlink (part_infos->pdata[k]);
      if (k > 0)
        g_unlink (part_dbs->pdata[k]);
    }
  if (failed)
    return 1;
  {
    /* caselinkd keeps the database in WAL mode. */
    g_autoptr(CLStore) store = cl_store_open (o.db, CL_SYNC_OFF, &error);
    double seconds = (double) (g_get_monotonic_time () - t0) / 1e6;
    g_auto(GStrv) samples = g_key_file_get_keys (sum, "samples", NULL, NULL);

    if (store == NULL || !exec_sql (store, "PRAGMA journal_mode=WAL", &error))
      {
        g_printerr ("caselink-gen: %s\n", error->message);
        return 1;
      }
    /* The sampled ids, in case order, as id0, id1, ... */
    for (guint i = 0; samples != NULL && samples[i] != NULL; i++)
      {
        g_autofree char *key = g_strdup_printf ("id%u", i);
        g_autofree char *v = g_key_file_get_string (sum, "samples", samples[i], NULL);

        g_key_file_set_string (sum, "ids", key, v);
      }
    g_key_file_remove_group (sum, "samples", NULL);
    g_key_file_set_integer (sum, "ids", "n", samples ? (gint) g_strv_length (samples) : 0);
    g_key_file_set_double (sum, "cases", "seconds", seconds);
    g_key_file_set_integer (sum, "cases", "processes", (gint) parts);
    printf ("generated %" G_GINT64_FORMAT " cases with %" G_GINT64_FORMAT " history rows in %.1f s "
            "(%.0f cases/s, %u processes), %" G_GINT64_FORMAT " overdue\n",
            g_key_file_get_int64 (sum, "cases", "total", NULL),
            g_key_file_get_int64 (sum, "cases", "history_rows", NULL), seconds,
            (double) total / MAX (seconds, 1e-6), parts, g_key_file_get_int64 (sum, "cases", "overdue", NULL));
    if (o.info != NULL && !g_key_file_save_to_file (sum, o.info, &error))
      {
        g_printerr ("caselink-gen: %s\n", error->message);
        return 1;
      }
  }
  g_free (o.db);
  g_free (o.workflows);
  g_free (o.info);
  g_free (o.due_state);
  return 0;
}
