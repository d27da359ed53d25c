/* cl-dbus-dict.h — a{sv} entries written straight into a libdbus message.
 *
 * Building a GVariant and converting it costs several times what libdbus
 * itself needs; the read calls answered most often (Case1.Transitions) write
 * their reply with these instead. Each returns FALSE only when memory runs
 * out.
 */
#pragma once

#include <dbus/dbus.h>
#include <glib.h>

G_BEGIN_DECLS

gboolean cl_dbus_dict_add_string (DBusMessageIter *dict, const char *key, const char *value);
gboolean cl_dbus_dict_add_boolean (DBusMessageIter *dict, const char *key, gboolean value);
/* @strv may be NULL (an empty array). */
gboolean cl_dbus_dict_add_strv (DBusMessageIter *dict, const char *key, const char *const *strv);

G_END_DECLS
