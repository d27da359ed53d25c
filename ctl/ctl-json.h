/* ctl-json.h — the JSON that caselinkctl prints, built in memory and
 * written out.
 *
 * caselinkctl only writes JSON (--json), it never reads any: a few dozen
 * lines here instead of json-glib, which would load GObject, GIO and their
 * libraries on every start, --json or not. The text written is byte for
 * byte what json-glib 1.6's generator wrote (indent 2, " : " between key
 * and value, the same escapes and number formats), so scripts see no
 * change.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CtlJson CtlJson;

CtlJson *ctl_json_null (void);
CtlJson *ctl_json_boolean (gboolean value);
CtlJson *ctl_json_int (gint64 value);
/* Written with 17 significant digits (g_ascii_dtostr), ".0" added when
 * that has no "."; the caller turns NaN and infinities into null. */
CtlJson *ctl_json_double (double value);
/* UTF-8 @text, copied; NULL gives null. */
CtlJson *ctl_json_string (const char *text);
CtlJson *ctl_json_array_new (void);
CtlJson *ctl_json_object_new (void);

/* Both take ownership of the value added. */
void ctl_json_array_add (CtlJson *array, CtlJson *element);
/* Members keep the order they were first set in; setting a key again
 * replaces its value in place. */
void ctl_json_object_set (CtlJson *object, const char *key, CtlJson *value);
void ctl_json_object_set_string (CtlJson *object, const char *key, const char *text);
void ctl_json_object_set_int (CtlJson *object, const char *key, gint64 value);
void ctl_json_object_set_boolean (CtlJson *object, const char *key, gboolean value);

/* The text of @node: @pretty indents by two spaces, one member or element
 * a line; otherwise all on one line. No trailing newline. */
char *ctl_json_to_string (const CtlJson *node, gboolean pretty);

void ctl_json_free (CtlJson *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtlJson, ctl_json_free)

G_END_DECLS
