/* registry.h — the workflows caselinkd serves: the newest version of each
 * name from the workflow directories, plus every version stored in the
 * database so running cases keep the definition they started with. */
#pragma once

#include "store.h"
#include "workflow.h"

G_BEGIN_DECLS

typedef struct _CLRegistry CLRegistry;

CLRegistry *cl_registry_new (CLStore *store);
void cl_registry_free (CLRegistry *reg);

/* Load @dirs. With @strict (Reload), any error keeps the current set and
 * returns FALSE; without it (start-up), bad files are left out. Errors go to
 * @errors as "file:line:column: message". */
gboolean cl_registry_load (CLRegistry *reg, const char *const *dirs, gboolean strict, GPtrArray *errors);

/* Borrowed; NULL when unknown. */
CLWorkflow *cl_registry_newest (CLRegistry *reg, const char *name);
/* The exact version (from memory or the database); NULL when unknown. */
CLWorkflow *cl_registry_version (CLRegistry *reg, const char *name, guint version);
/* Newest of each workflow, sorted by name (borrowed pointers). */
GPtrArray *cl_registry_list (CLRegistry *reg);

G_END_DECLS
