/* workflow.h — the in-memory model of one workflow definition version.
 *
 * Built by workflow-loader.c from YAML, shared read-only by the daemon (which
 * keeps every version a running case may need) and by caselinkctl's offline
 * validator. Reference counted: a reload swaps sets while calls in flight
 * still hold the old definitions.
 */
#pragma once

#include "calendar.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CLCondition CLCondition;

typedef enum {
  CL_FIELD_STRING,
  CL_FIELD_TEXT,
  CL_FIELD_INTEGER,
  CL_FIELD_NUMBER,
  CL_FIELD_BOOLEAN,
  CL_FIELD_DATE,
  CL_FIELD_ENUM,
  CL_FIELD_AGENCY,
  CL_FIELD_LIST,
  CL_FIELD_PERSON_ID,
  CL_FIELD_USCC,
} CLFieldType;

typedef struct {
  char *name;
  CLFieldType type;
  gboolean required;
  gint64 max;            /* characters or list elements; 0 = no limit */
  char **values;         /* enum */
  char *label;
  gboolean pii;
} CLField;

/* deadline: {in: N UNIT, from: entered|<date field>, roll: next_working_day|none,
 *            calendar: NAME, warn_before: N UNIT, on_expire: {transition: NAME}} */
typedef struct {
  gint n;
  CLDeadlineUnit unit;
  char *from;              /* NULL = when the state is entered; else a date field */
  gboolean roll;           /* calendar_days and months only; default TRUE */
  char *calendar;          /* NULL = [daemon] calendar */
  gboolean has_warn;
  gint warn_n;
  CLDeadlineUnit warn_unit;
  char *on_expire;         /* transition fired by the system actor, or NULL */
} CLDeadlineSpec;

/* spawn: {workflow, relation, copy: [fields]} */
typedef struct {
  char *workflow;
  char *relation;
  char **copy;
  char *position;          /* "file:line:column" of the spawn, for later checks */
} CLSpawn;

/* A plugin hook a workflow names (guards:, actions:): "plugin.hook". */
typedef struct {
  char *name;
  char *position;          /* "file:line:column" of the name, for later checks */
} CLHookRef;

typedef struct {
  char *name;
  gboolean initial;
  gboolean final;
  char *holder;          /* agency field name or literal agency id, or NULL */
  gboolean holder_is_field;
  GHashTable *titles;    /* lang -> title */
  char *basis;
  CLDeadlineSpec *deadline;
  gboolean pauses_clock;
} CLState;

typedef struct {
  char *name;
  char **from;
  char *to;                /* "$previous" when to_previous */
  gboolean to_previous;
  char **by;
  char **requires;
  GHashTable *titles;
  char *basis;
  CLCondition *when;
  gboolean has_extend;
  gint extend_n;
  CLDeadlineUnit extend_unit;
  gboolean extend_once;        /* extend: {once: true}: once per running deadline */
  CLSpawn *spawn;
  GPtrArray *guards;       /* CLHookRef*: plugin guards that may refuse it; NULL = none */
  GPtrArray *actions;      /* CLHookRef*: plugin actions run inside it; NULL = none */
} CLTransition;

typedef struct {
  gint ref_count;
  char *name;
  guint version;
  char *id_prefix;
  GHashTable *titles;          /* lang -> title */
  char *description;
  char **created_by;           /* NULL = any known actor */
  GPtrArray *fields;           /* CLField*, in file order */
  GHashTable *field_index;     /* name -> CLField* */
  GPtrArray *states;           /* CLState*, in file order */
  GHashTable *state_index;
  GPtrArray *transitions;      /* CLTransition*, in file order */
  GHashTable *transition_index;
  const CLState *initial;
  GPtrArray *actions;          /* CLHookRef*: plugin actions run at creation; NULL = none */
  char *source_path;
  char *source;                /* the YAML text, kept so a version can be stored */
} CLWorkflow;

CLWorkflow *cl_workflow_new (void);
CLWorkflow *cl_workflow_ref (CLWorkflow *wf);
void cl_workflow_unref (CLWorkflow *wf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CLWorkflow, cl_workflow_unref)

const CLField *cl_workflow_field (const CLWorkflow *wf, const char *name);
const CLState *cl_workflow_state (const CLWorkflow *wf, const char *name);
const CLTransition *cl_workflow_transition (const CLWorkflow *wf, const char *name);
gboolean cl_transition_leaves (const CLTransition *t, const char *state);
gboolean cl_transition_allows_role (const CLTransition *t, const char *role);

/* The title in @lang, falling back to any title, then to @fallback. */
const char *cl_titles_pick (GHashTable *titles, const char *lang, const char *fallback);

/* A canonical text of the parsed definition: equal for two files that differ
 * only in comments, formatting or key order. */
char *cl_workflow_canonical (const CLWorkflow *wf);

/* Is any state's deadline or holder, or anything else, using @calendar? */
gboolean cl_workflow_uses_calendar (const CLWorkflow *wf, const char *calendar, const char *default_calendar);

const char *cl_field_type_to_string (CLFieldType type);
gboolean cl_field_type_from_string (const char *s, CLFieldType *out);

/* An empty CLHookRef* array that frees its elements. */
GPtrArray *cl_hook_refs_new (void);

/* Names of workflows, states, transitions and fields: [a-z][a-z0-9_]{0,63}. */
gboolean cl_name_is_valid (const char *name);

G_END_DECLS
