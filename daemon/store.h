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
void cl_store_rollback_savepoint (CLStore *store);
gboolean cl_store_in_transaction (CLStore *store);

/* Next number for (prefix, year), starting at 1. Inside a transaction. */
gboolean cl_store_next_number (CLStore *store, const char *prefix, int year, gint64 *out, GError **error);

gboolean cl_store_insert_case (CLStore *store, CLCaseRecord *rec, GError **error);
gboolean cl_store_update_case (CLStore *store, const CLCaseRecord *rec, GError **error);
/* NULL with CL_ERROR_NOT_FOUND when there is no such case. */
CLCaseRecord *cl_store_get_case (CLStore *store, const char *id, GError **error);

/* Appends @h to the case's history (sets h->seq, h->hash) and advances the
 * record's history_count/head; the caller then updates the case row. */
gboolean cl_store_append_history (CLStore *store, CLCaseRecord *rec, CLHistoryRecord *h, GError **error);
GPtrArray *cl_store_history (CLStore *store, const CLCaseRecord *rec, GError **error);

/* CLCaseRecord* array, ordered by creation. */
GPtrArray *cl_store_list_cases (CLStore *store, const CLCaseFilter *filter, GError **error);
/* group_by: "", state, workflow, domain, agency. Returns key -> guint64*. */
GHashTable *cl_store_count_cases (CLStore *store, const CLCaseFilter *filter, const char *group_by,
                                  GError **error);
gboolean cl_store_count_all (CLStore *store, guint64 *out, GError **error);

/* Workflow definitions by (name, version), so cases keep their version. */
gboolean cl_store_put_workflow (CLStore *store, const char *name, guint version, const char *source,
                                const char *path, GError **error);
/* Rows as (name, version, source, path) tuples: a(suss). */
GVariant *cl_store_workflows (CLStore *store, GError **error);

void cl_case_record_free (CLCaseRecord *rec);
void cl_history_record_free (CLHistoryRecord *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CLCaseRecord, cl_case_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CLHistoryRecord, cl_history_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CLStore, cl_store_close)

G_END_DECLS
