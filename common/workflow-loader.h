/* workflow-loader.h — YAML workflow files -> CLWorkflow, with validation.
 *
 * Every problem is reported as "FILE:LINE:COLUMN: message" into @errors; a
 * file with any error yields no workflow. Shared by caselinkd and
 * `caselinkctl workflow validate`.
 */
#pragma once

#include "workflow.h"

G_BEGIN_DECLS

/* What a workflow may refer to outside itself. NULL members: not checked. */
typedef struct {
  GHashTable *calendars;        /* known calendar names (any value) */
  const char *default_calendar; /* for deadlines without calendar: */
} CLLoadOptions;

CLWorkflow *cl_workflow_load_data (const char *file, const char *data, gsize len,
                                   const CLLoadOptions *opts, GPtrArray *errors);
CLWorkflow *cl_workflow_load_file (const char *path, const CLLoadOptions *opts, GPtrArray *errors);

/* Checks between workflows of one set (spawn targets and the fields they
 * copy). Workflows that fail are removed from @set, with their errors. */
void cl_workflow_check_set (GHashTable *set, GPtrArray *errors);

/* Are the plugin hooks @wf names (guards:, actions:) all in @hooks (hook
 * name -> its kind: "validator", "guard", "action" or "redactor"; a NULL
 * value accepts any kind)? Each unknown hook or wrong kind is reported as
 * "FILE:LINE:COLUMN: ... (unknown hook)" into @errors. @hooks NULL: not
 * checked. Separate from loading, because the loader knows nothing of
 * plugins: caselinkd passes the hooks of its loaded plugins, `caselinkctl
 * workflow validate --plugins DIR` those it finds in DIR. */
gboolean cl_workflow_check_hooks (const CLWorkflow *wf, GHashTable *hooks, GPtrArray *errors);

/* Load every *.yaml directly inside each of @dirs (in order; a later
 * directory's workflow replaces an earlier one of the same name). Bad files
 * are left out with their errors in @errors; an id_prefix used by two
 * workflows is an error on the later one. Returns name -> CLWorkflow*. */
GHashTable *cl_workflow_load_dirs (const char *const *dirs, const CLLoadOptions *opts, GPtrArray *errors);

G_END_DECLS
