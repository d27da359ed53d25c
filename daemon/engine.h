/* engine.h — every change of a case: create, advance, update, comment, link.
 *
 * Calls are queued and committed together (group commit): the first change
 * opens a transaction at idle priority, each change runs in its own
 * savepoint (a failed one never rolls back its neighbours), one COMMIT
 * makes them durable, and only then do replies and signals go out.
 */
#pragma once

#include "daemon.h"

G_BEGIN_DECLS

CLEngine *cl_engine_new (CLDaemon *d);
void cl_engine_free (CLEngine *engine);

void cl_engine_create (CLEngine *engine, CLCall *call, const char *workflow, GVariant *fields);
void cl_engine_advance (CLEngine *engine, CLCall *call, const char *id, const char *transition,
                        GVariant *fields, const char *comment);
void cl_engine_update (CLEngine *engine, CLCall *call, const char *id, GVariant *fields, const char *comment);
void cl_engine_comment (CLEngine *engine, CLCall *call, const char *id, const char *text);
void cl_engine_link (CLEngine *engine, CLCall *call, const char *id, const char *other_id, const char *relation);
/* Case1.QuerySealed: record the read, then answer {fields, history}. */
void cl_engine_query_sealed (CLEngine *engine, CLCall *call, const char *id, const char *reason);

/* Past this many queued changes, commit without waiting for idle. */
#define CL_ENGINE_QUEUE_MAX 256
/* A transaction run from the idle takes at most half of what is queued
 * (and no fewer than this): while the log of one half is synced off the
 * main loop, the other half executes, and the first half's callers, who
 * hear back in between (cl_durability_poll), send their next calls. The
 * benchmark's floor service (bench/floor.c) groups by the same two. */
#define CL_ENGINE_GROUP_MIN 8

/* Commit what is queued now (before a read, so a caller sees its own
 * writes; and at shutdown). */
void cl_engine_flush (CLEngine *engine);
guint cl_engine_pending (CLEngine *engine);

/* Fire @transition on @rec as the system actor (an on_expire transition,
 * whatever its by:). Inside the caller's transaction; signals are queued. */
gboolean cl_engine_fire_system (CLEngine *engine, CLCaseRecord *rec, const char *transition, GPtrArray *signals,
                                GError **error);

/* The agency holding a case in @state of @wf with @fields. */
char *cl_engine_holder (const CLWorkflow *wf, const char *state, GVariant *fields, const char *fallback);

/* PropertiesChanged arguments for @rec. */
GVariant *cl_engine_changed_properties (CLDaemon *d, const CLCaseRecord *rec);

/* Plugin actions (plugin-api.c), inside the running change of @scope:
 * create a case of the newest @workflow from @fields (coerced, checked,
 * validated, with its own creation actions), or link @scope's case to
 * @other_id. */
typedef struct _CLHookScope CLHookScope;
CLCaseRecord *cl_engine_plugin_create (const CLHookScope *scope, const char *workflow, GVariant *fields,
                                       const char *comment, GError **error);
gboolean cl_engine_plugin_link (const CLHookScope *scope, const char *other_id, const char *relation,
                                GError **error);

/* Limits on what one call may carry. */
#define CL_MAX_FIELDS_PER_CALL 256
#define CL_MAX_COMMENT_CHARS 10000

G_END_DECLS
