/* registry.h — the workflows and calendars caselinkd serves: the newest
 * version of each workflow from the workflow directories, every version
 * stored in the database (running cases keep the definition they started
 * with), and the calendars from each directory's calendars/ folder. */
#pragma once

#include "calendar.h"
#include "store.h"
#include "workflow.h"

G_BEGIN_DECLS

typedef struct _CLRegistry CLRegistry;

CLRegistry *cl_registry_new (CLStore *store);
/* A registry that only checks: it writes nothing to the store. */
CLRegistry *cl_registry_new_probe (CLStore *store);
void cl_registry_free (CLRegistry *reg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CLRegistry, cl_registry_free)

/* The plugin hooks workflows may name (hook name -> kind, borrowed; see
 * cl_workflow_check_hooks()): a workflow naming any other is refused at
 * load. NULL (the default): not checked. */
void cl_registry_set_hooks (CLRegistry *reg, GHashTable *hooks);

/* Load @dirs (and their calendars/ folders). With @strict (Reload), any
 * error keeps the current set and returns FALSE; without it (start-up), bad
 * files are left out. Errors go to @errors as "file:line:column: message".
 * Names of calendars whose content changed are added to @changed_calendars
 * (may be NULL). */
gboolean cl_registry_load (CLRegistry *reg, const char *const *dirs, const char *default_calendar,
                           gboolean strict, GPtrArray *errors, GPtrArray *changed_calendars);

/* Borrowed; NULL when unknown. */
CLWorkflow *cl_registry_newest (CLRegistry *reg, const char *name);
/* The exact version (from memory or the database); NULL when unknown. */
CLWorkflow *cl_registry_version (CLRegistry *reg, const char *name, guint version);
/* Newest of each workflow, sorted by name (borrowed pointers). */
GPtrArray *cl_registry_list (CLRegistry *reg);
/* Borrowed; NULL when unknown. "weekends" always exists. */
CLCalendar *cl_registry_calendar (CLRegistry *reg, const char *name);

G_END_DECLS
