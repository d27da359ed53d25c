/* ctl-dict.h — lenient reads from the a{sv} dictionaries the daemon sends.
 *
 * A missing key or a value of an unexpected type reads as empty/0/FALSE
 * rather than a critical warning: the table still prints, and --json shows
 * the data as it came.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* s, o or g value; "" when absent. Valid as long as @dict. */
const char *ctl_dict_string (GVariant *dict, const char *key);
/* Any integer type; 0 when absent. */
gint64 ctl_dict_int (GVariant *dict, const char *key);
gboolean ctl_dict_bool (GVariant *dict, const char *key);
/* The value with any variant wrapping removed, or NULL. */
GVariant *ctl_dict_value (GVariant *dict, const char *key);

/* Any integer-typed value as gint64 (0 for other types). */
gint64 ctl_variant_int (GVariant *value);

G_END_DECLS
