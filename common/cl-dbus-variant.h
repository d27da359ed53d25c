/* cl-dbus-variant.h — convert between libdbus messages and GVariant.
 *
 * Handlers in caselinkd and the verbs of caselinkctl work on GVariant; these
 * two functions are the only place that walks DBusMessageIter.
 */
#pragma once

#include <dbus/dbus.h>
#include <glib.h>

G_BEGIN_DECLS

/* All arguments of @msg as one tuple (an empty message gives "()").
 * Unix fds are refused. */
GVariant *cl_dbus_message_get_args (DBusMessage *msg, GError **error);

/* Append every child of the tuple @args (a non-tuple is appended as one
 * argument). Returns FALSE only when memory runs out or a type has no D-Bus
 * equivalent (maybe types). */
gboolean cl_dbus_message_append_args (DBusMessage *msg, GVariant *args);

/* Append a single value as a D-Bus variant ("v") at @iter. */
gboolean cl_dbus_iter_append_variant (DBusMessageIter *iter, GVariant *value);

/* Append a single value of its own type at @iter. */
gboolean cl_dbus_iter_append_value (DBusMessageIter *iter, GVariant *value);

G_END_DECLS
