/* ctl-bus.h — method calls from caselinkctl, answered on the GLib main loop.
 *
 * Calls are sent with dbus_connection_send_with_reply() and their replies
 * arrive through the common/ glue; the synchronous helpers simply run a main
 * loop until the reply (or the timeout) comes, so a verb reads top to bottom.
 * Failures come back as ctl-error.h errors: the D-Bus error name and the
 * exit status it maps to.
 */
#pragma once

#include <dbus/dbus.h>
#include <glib.h>

G_BEGIN_DECLS

/* A little under libdbus' own default, and well above anything the daemon
 * should need: a hung daemon fails the command instead of hanging it. */
#define CTL_CALL_TIMEOUT_MS 25000

/* Manager1.VerifyAudit walks the whole history: on a big database that
 * takes a while, and the daemon keeps serving meanwhile. */
#define CTL_AUDIT_TIMEOUT_MS (10 * 60 * 1000)

/* Called exactly once with either @reply (a tuple of @reply_type) or @error;
 * both are borrowed. */
typedef void (*CtlBusReplyFunc) (GVariant *reply, const GError *error,
                                 gpointer user_data);

/* Send @method with @args (a tuple, may be floating, NULL = none). FALSE
 * with @error set if it could not even be sent; else @callback runs later
 * from the main loop. @reply_type NULL accepts any reply. */
gboolean ctl_bus_call_async (DBusConnection *conn, const char *destination,
                             const char *path, const char *iface,
                             const char *method, GVariant *args,
                             const char *reply_type, CtlBusReplyFunc callback,
                             gpointer user_data, GError **error);

/* The same, waiting on the main loop; returns the reply tuple. */
GVariant *ctl_bus_call_full (DBusConnection *conn, const char *destination,
                             const char *path, const char *iface,
                             const char *method, GVariant *args,
                             const char *reply_type, GError **error);

/* All arguments of @msg as one tuple, serialised so that strings borrowed
 * from it (ctl_dict_string) stay valid as long as the tuple. */
GVariant *ctl_bus_message_args (DBusMessage *msg, GError **error);

/* A call to org.caselink. */
GVariant *ctl_bus_call (DBusConnection *conn, const char *path,
                        const char *iface, const char *method, GVariant *args,
                        const char *reply_type, GError **error);

/* The same, waiting up to @timeout_ms instead of CTL_CALL_TIMEOUT_MS. */
GVariant *ctl_bus_call_long (DBusConnection *conn, const char *path,
                             const char *iface, const char *method,
                             GVariant *args, const char *reply_type,
                             int timeout_ms, GError **error);

/* org.freedesktop.DBus.Properties.Get of @name on org.caselink, unboxed;
 * a failure when it is not of @value_type (NULL: any). */
GVariant *ctl_bus_get_property (DBusConnection *conn, const char *path,
                                const char *iface, const char *name,
                                const char *value_type, GError **error);

/* org.freedesktop.DBus.Properties.GetAll on org.caselink; returns a{sv}. */
GVariant *ctl_bus_get_all (DBusConnection *conn, const char *path,
                           const char *iface, GError **error);

/* Manager1.GetCase(@id): the case's object path. */
char *ctl_bus_get_case_path (DBusConnection *conn, const char *id,
                             GError **error);

/* The Case1 properties (a{sv}) of case @id, and its path in @path. */
GVariant *ctl_bus_get_case_all (DBusConnection *conn, const char *id,
                                char **path, GError **error);

G_END_DECLS
