/* condition.h — declarative `when:` conditions on case fields.
 *
 *   {field: NAME, OP: VALUE}   OP: set (true/false), equals, in (a list),
 *                              gt, ge, lt, le (integer, number, date fields)
 *   {all: [...]} / {any: [...]}
 *
 * Constants are coerced to the field's type at load, so evaluation never
 * meets a type error. No scripting, on purpose.
 */
#pragma once

#include "cl-yaml.h"
#include "workflow.h"

G_BEGIN_DECLS

typedef struct _CLCondition CLCondition;

/* Parse @node; errors go to @y. NULL on error. */
CLCondition *cl_condition_parse (CLYaml *y, yaml_node_t *node, const CLWorkflow *wf);
void cl_condition_free (CLCondition *cond);

/* TRUE when @fields (a{sv}, canonical types) satisfy @cond; otherwise
 * FALSE with *@why saying which condition failed. */
gboolean cl_condition_eval (const CLCondition *cond, GVariant *fields, char **why);

/* A canonical text form (for comparing definitions and for graphs). */
void cl_condition_describe (const CLCondition *cond, GString *out);

G_END_DECLS
