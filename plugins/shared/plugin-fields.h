/* plugin-fields.h — typed readers of a case's fields, shared by the domain
 * plugins (compiled into each; built against the SDK alone). */
#pragma once

#include <caselink/case.h>
#include <caselink/plugin.h>

/* A non-empty string field, or NULL (free it). */
char *pl_field_string (CaselinkCase *c, const char *name);
/* A number field (double or int64) in @out; FALSE when unset or of another type. */
gboolean pl_field_number (CaselinkCase *c, const char *name, double *out);
/* An int64 field in @out; FALSE when unset or of another type. */
gboolean pl_field_int (CaselinkCase *c, const char *name, gint64 *out);
/* A boolean field: 1, 0, or -1 when unset or of another type. */
int pl_field_bool (CaselinkCase *c, const char *name);
