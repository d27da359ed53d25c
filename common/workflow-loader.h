/* workflow-loader.h — YAML workflow files -> CLWorkflow, with validation.
 *
 * Every problem is reported as "FILE:LINE:COLUMN: message" into @errors; a
 * file with any error yields no workflow. Shared by caselinkd and
 * `caselinkctl workflow validate`.
 */
#pragma once

#include "workflow.h"

G_BEGIN_DECLS

CLWorkflow *cl_workflow_load_data (const char *file, const char *data, gsize len,
                                   GPtrArray *errors);
CLWorkflow *cl_workflow_load_file (const char *path, GPtrArray *errors);

/* Load every *.yaml directly inside each of @dirs (in order; a later
 * directory's workflow replaces an earlier one of the same name). Bad files
 * are left out with their errors in @errors; an id_prefix used by two
 * workflows is an error on the later one. Returns name -> CLWorkflow*. */
GHashTable *cl_workflow_load_dirs (const char *const *dirs, GPtrArray *errors);

G_END_DECLS
