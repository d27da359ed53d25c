/* plugin-hooks.h — running plugin hooks from the engine, and redacting the
 * fields the daemon serves.
 *
 * The engine describes the change it is making in a CLHookScope and calls,
 * in this order and inside the change's savepoint: cl_plugins_validate()
 * (after coercion, when the change sets fields), cl_plugins_guard() (after
 * requires: and when:), cl_plugins_act() (last, before the case row is
 * written). Any FALSE refuses the change; the engine rolls it back.
 */
#pragma once

#include "daemon.h"
#include "plugin-loader.h"

G_BEGIN_DECLS

typedef struct _CLHookScope CLHookScope;

struct _CLHookScope {
  CLEngine *engine;
  CLCaseRecord *rec;          /* NULL while a case is validated for creation (no id yet) */
  const CLWorkflow *wf;
  GHashTable *merged;         /* name -> value: the fields as the change will write them */
  const CLIdentity *who;
  const char *role;
  const CLTransition *t;      /* the transition; NULL for a creation or an update */
  gboolean creating;          /* a creation: the workflow's top-level actions: run */
  char *state;                /* the state before the change (copied at init) */
  char *next_state;           /* the state after it (copied at init) */
  GPtrArray *signals;         /* of the running change */
  const CLHookScope *parent;  /* the change whose action or spawn creates this case */
  GHashTable *set_fields;     /* out: name -> value that actions set (for the history entry) */
};

/* Fill @scope (state from @rec, or @wf's initial state); set_fields NULL,
 * creating FALSE. @next_state NULL: the same as the state. */
void cl_hook_scope_init (CLHookScope *scope, CLEngine *engine, CLCaseRecord *rec, const CLWorkflow *wf,
                         GHashTable *merged, const CLIdentity *who, const char *role, const CLTransition *t,
                         const char *next_state, GPtrArray *signals, const CLHookScope *parent);
void cl_hook_scope_clear (CLHookScope *scope);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CLHookScope, cl_hook_scope_clear)

/* The validators of the plugins serving the case's domain (its "domain"
 * field in @scope->merged). org.caselink.Error.InvalidArgs naming the plugin. */
gboolean cl_plugins_validate (CLDaemon *d, const CLHookScope *scope, GError **error);
/* The guards @scope->t names, in order. org.caselink.Error.Rejected
 * "plugin P refused transition T: REASON". TRUE without a transition. */
gboolean cl_plugins_guard (CLDaemon *d, const CLHookScope *scope, GError **error);
/* The actions @scope->t names (or, when @scope->creating, the workflow's
 * top-level actions), in order, on @scope->rec (already inserted, its own
 * history entry appended). When they set fields: the validators again, and
 * a history entry "plugin" with what they set; the values are in
 * @scope->merged and @scope->set_fields, and the caller rebuilds the
 * record's fields from @scope->merged before writing the row. */
gboolean cl_plugins_act (CLDaemon *d, CLHookScope *scope, GError **error);

/* @given (a{sv}) with what actions set added: the fields of the change's
 * history entry. New reference. */
GVariant *cl_plugins_history_fields (GVariant *given, GHashTable *set_fields);

/* @fields (a{sv}, of case @rec) without what the redactors of the plugins
 * serving its domain hide from @who. New reference (possibly @fields
 * itself). @wf may be NULL. */
GVariant *cl_plugins_redact (CLDaemon *d, const CLCaseRecord *rec, const CLWorkflow *wf, const CLIdentity *who,
                             GVariant *fields);
/* Replace @rec->fields by what @who may see. */
void cl_plugins_redact_record (CLDaemon *d, CLCaseRecord *rec, const CLIdentity *who);

/* An actor with no user, no agency and no roles: the most restrictive
 * view, used for signals until they are redacted per subscriber. */
const CLIdentity *cl_plugins_no_one (void);

G_END_DECLS
