/* store.h — caselink's SQLite store.
 *
 * One connection owned by the main thread. Schema versions are applied in
 * order at open. Every statement is prepared once with bound parameters.
 * Writers wrap their work in cl_store_begin()/cl_store_commit() (the engine
 * groups several calls into one transaction, each in a savepoint).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CLStore CLStore;

typedef enum {
  CL_SYNC_OFF,
  CL_SYNC_NORMAL,
  CL_SYNC_FULL,
} CLSyncMode;

typedef struct {
  gint64 seq;              /* creation order, 0 before insert */
  char *id;
  char *workflow;
  guint version;
  char *state;
  char *previous_state;
  char *title;
  char *domain;
  char *agency;            /* holder now */
  char *creator_agency;
  gint64 created;
  gint64 updated;
  gint64 deadline;
  gboolean overdue;
  GVariant *fields;        /* a{sv}, canonical types */
  guint64 history_count;
  char *history_head;      /* hash of the newest history row */
  gboolean sealed;         /* 犯罪记录封存: see cl_daemon_may_see */
} CLCaseRecord;

typedef struct {
  guint64 seq;
  gint64 time;
  guint32 uid;
  char *user;
  char *agency;
  char *role;
  char *action;
  char *transition;
  char *from_state;
  char *to_state;
  char *comment;
  GVariant *fields;        /* a{sv} */
  char *hash;
} CLHistoryRecord;

typedef struct {
  const char *workflow;
  const char *state;
  const char *domain;
  const char *agency;
  gboolean has_overdue;
  gboolean overdue;
  const char *text;
  guint limit;
  const char *after;       /* case id */
  const char *party;       /* non-NULL: only cases this agency created or held */
  gboolean hide_sealed;    /* leave sealed records out */
  gboolean has_priority;
  gint64 priority;         /* only cases at least this urgent */
} CLCaseFilter;

CLStore *cl_store_open (const char *path, CLSyncMode sync, GError **error);
void cl_store_close (CLStore *store);
int cl_store_schema_version (CLStore *store);
gboolean cl_store_parse_sync_mode (const char *s, CLSyncMode *out);

gboolean cl_store_begin (CLStore *store, GError **error);
gboolean cl_store_commit (CLStore *store, GError **error);
void cl_store_rollback (CLStore *store);
gboolean cl_store_savepoint (CLStore *store, GError **error);
gboolean cl_store_release (CLStore *store, GError **error);
/* FALSE (with @error set) when the whole transaction is rolled back:
 * SQLite had done so itself (a full disk, an I/O error), or no savepoint
 * was open. The batch is lost and must stop — another SAVEPOINT would
 * open a new transaction of its own. */
gboolean cl_store_rollback_savepoint (CLStore *store, GError **error);
gboolean cl_store_in_transaction (CLStore *store);

/* Next number for (prefix, year), starting at 1. Inside a transaction. */
gboolean cl_store_next_number (CLStore *store, const char *prefix, int year, gint64 *out, GError **error);

gboolean cl_store_insert_case (CLStore *store, CLCaseRecord *rec, GError **error);
gboolean cl_store_update_case (CLStore *store, const CLCaseRecord *rec, GError **error);
/* NULL with CL_ERROR_NOT_FOUND when there is no such case. */
CLCaseRecord *cl_store_get_case (CLStore *store, const char *id, GError **error);
CLCaseRecord *cl_store_get_case_by_seq (CLStore *store, gint64 seq, GError **error);
/* Did @agency create or hold the case? (FALSE for "".) */
gboolean cl_store_case_visible_to (CLStore *store, gint64 case_seq, const char *agency, gboolean *visible,
                                   GError **error);

/* Appends @h to the case's history (sets h->seq, h->hash) and advances the
 * record's history_count/head; the caller then updates the case row. */
gboolean cl_store_append_history (CLStore *store, CLCaseRecord *rec, CLHistoryRecord *h, GError **error);
GPtrArray *cl_store_history (CLStore *store, const CLCaseRecord *rec, GError **error);
/* The committed head of the global chain: rows written and the last ghash. */
gboolean cl_store_audit_head (CLStore *store, guint64 *count, char **hash, GError **error);
/* Tests only (Testing1): "full" (no page may be added), "readonly", "none". */
gboolean cl_store_inject_fault (CLStore *store, const char *kind, GError **error);
/* The SQLite handle, for read-only walks such as the audit verifier. */
struct sqlite3 *cl_store_db (CLStore *store);
/* synchronous=full: what holds replies until commits are durable (NULL
 * with other modes). */
struct _CLDurability *cl_store_durability (CLStore *store);

/* CLCaseRecord* array, ordered by creation. */
GPtrArray *cl_store_list_cases (CLStore *store, const CLCaseFilter *filter, GError **error);
/* group_by: "", state, workflow, domain, agency. Returns key -> guint64*. */
GHashTable *cl_store_count_cases (CLStore *store, const CLCaseFilter *filter, const char *group_by,
                                  GError **error);
gboolean cl_store_count_all (CLStore *store, guint64 *out, GError **error);

/* Workflow definitions by (name, version), so cases keep their version. */
gboolean cl_store_put_workflow (CLStore *store, const char *name, guint version, const char *source,
                                const char *path, GError **error);
/* The stored source of (name, version); NULL (no error) when there is none. */
char *cl_store_workflow_source (CLStore *store, const char *name, guint version, GError **error);
/* Rows as (name, version, source, path) tuples: a(suss). */
GVariant *cl_store_workflows (CLStore *store, GError **error);

/* ---- deadlines (store-deadlines.c) ------------------------------------ */

typedef struct {
  gint64 case_seq;
  char *state;             /* the state the deadline belongs to */
  gint64 due;
  gint64 warn_at;          /* 0 = no warning */
  gboolean warned;
  gboolean fired;
  gboolean failed;         /* on_expire could not fire (recorded once) */
  gint64 paused_at;        /* 0 = running */
  char *calendar;
  char *spec;              /* how due was computed, replayable (deadline.c) */
} CLDeadlineRow;

void cl_deadline_row_free (CLDeadlineRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CLDeadlineRow, cl_deadline_row_free)

gboolean cl_store_put_deadline (CLStore *store, const CLDeadlineRow *row, GError **error);
gboolean cl_store_delete_deadline (CLStore *store, gint64 case_seq, GError **error);
/* NULL without error when the case has no deadline row. */
CLDeadlineRow *cl_store_get_deadline (CLStore *store, gint64 case_seq, GError **error);
/* Rows whose next event (warning or expiry) is at or before @now, oldest first. */
GPtrArray *cl_store_due_deadlines (CLStore *store, gint64 now, guint limit, GError **error);
/* Earliest pending event; FALSE in *any when nothing is pending. */
gboolean cl_store_next_deadline (CLStore *store, gint64 *when, gboolean *any, GError **error);
/* Unfired rows computed with @calendar. */
GPtrArray *cl_store_deadlines_by_calendar (CLStore *store, const char *calendar, GError **error);

/* ---- links ------------------------------------------------------------ */

/* *@added (may be NULL) tells whether the link is new. */
gboolean cl_store_add_link (CLStore *store, gint64 case_seq, const char *relation, gint64 other_seq,
                            gboolean *added, GError **error);
/* (relation, other id) pairs as a(ss), in insertion order. */
GVariant *cl_store_links (CLStore *store, gint64 case_seq, GError **error);

/* ---- plugins (store-plugins.c) ------------------------------------------ */

/* A plugin's value for @key as text; NULL without error when unset. */
char *cl_store_kv_get (CLStore *store, const char *plugin, const char *key, GError **error);
/* @value NULL deletes. Inside the caller's transaction. */
gboolean cl_store_kv_set (CLStore *store, const char *plugin, const char *key, const char *value, GError **error);

/* Called with each case's id and fields; FALSE stops the scan. */
typedef gboolean (*CLCaseVisitFunc) (const char *id, GVariant *fields, gpointer data);
/* Cases of @workflow created at or after @created_since, oldest first, whose
 * stored fields text contains every string of @needles (NULL-terminated,
 * may be NULL) — a coarse filter; the visitor compares exactly. */
gboolean cl_store_scan_cases (CLStore *store, const char *workflow, gint64 created_since,
                              const char *const *needles, CLCaseVisitFunc visit, gpointer data, GError **error);

void cl_case_record_free (CLCaseRecord *rec);
CLCaseRecord *cl_case_record_copy (const CLCaseRecord *rec);
/* The names of @rec's fields that hold a value (a set; the names are
 * borrowed from rec->fields). Kept with the cached case, so Transitions
 * called again on an unchanged case does not walk its fields. Unref it. */
GHashTable *cl_store_filled_fields (CLStore *store, const CLCaseRecord *rec);
void cl_history_record_free (CLHistoryRecord *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CLCaseRecord, cl_case_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CLHistoryRecord, cl_history_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CLStore, cl_store_close)

G_END_DECLS
