/* cl-dbus-glue.h — run a libdbus connection on a GLib main context.
 *
 * Shared by caselinkd and caselinkctl. libdbus does its own I/O only when
 * asked; this glue turns its watches into fd sources, its timeouts into GLib
 * timeouts, and dispatches queued messages from an idle source (never from
 * inside a libdbus callback).
 */
#pragma once

#include <dbus/dbus.h>
#include <glib.h>

G_BEGIN_DECLS

/* Attach @conn to @context (NULL = the default context). Call once. After
 * attaching, any messages already queued (e.g. while a blocking RequestName
 * ran) are dispatched from the loop. */
void cl_dbus_glue_attach (DBusConnection *conn, GMainContext *context);

/* Remove every source the glue added. Safe to call before closing. */
void cl_dbus_glue_detach (DBusConnection *conn);

/* Open a private connection to @address (or to the system/session bus when
 * @address is NULL), register with the bus, disable exit-on-disconnect.
 * Returns NULL with @error set on failure. */
DBusConnection *cl_dbus_open (const char *address, DBusBusType type,
                              GError **error);

G_END_DECLS
