/* case-path.h — case ids <-> D-Bus object paths. Every byte outside
 * [A-Za-z0-9] becomes "_" and two lowercase hex digits. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *cl_case_path_escape (const char *id);
/* NULL when @element is not a valid escaped id. */
char *cl_case_path_unescape (const char *element);
char *cl_case_path_for_id (const char *id);

G_END_DECLS
