/* bus.h — caselinkd's D-Bus layer on libdbus.
 *
 * Objects are described by tables (interfaces with methods, properties and
 * signals, each with argument names); the same tables drive dispatch,
 * signature checks and the generated introspection XML. A method handler
 * gets a CLCall carrying the decoded arguments and the caller's identity
 * (asked of the bus asynchronously and cached per connection), and answers
 * with cl_call_return()/cl_call_error() — possibly later, from the loop.
 */
#pragma once

#include <dbus/dbus.h>
#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct _CLBus CLBus;

/* Limits against abuse (org.freedesktop.DBus.Error.LimitsExceeded). */
#define CL_BUS_MAX_PENDING_PER_CONNECTION 256
#define CL_MAX_SUBSCRIBERS 1024
typedef struct _CLCall CLCall;

typedef struct {
  char *unique_name;
  guint32 uid;
} CLCaller;

typedef void (*CLMethodFunc) (CLCall *call, GVariant *args, gpointer object_data);

/* Fill every property of the interface (or only @name when non-NULL) into
 * the a{sv} builder; return FALSE with @error (e.g. NotFound) on failure. */
typedef gboolean (*CLPropertiesFunc) (CLCall *call, const char *name, GVariantBuilder *props,
                                      gpointer object_data, GError **error);

typedef struct {
  const char *name;
  const char *in_sig;
  const char *in_names;     /* space-separated, one per complete type */
  const char *out_sig;
  const char *out_names;
  CLMethodFunc func;
} CLMethod;

typedef struct {
  const char *name;
  const char *sig;
  const char *names;
} CLSignal;

typedef struct {
  const char *name;
  const char *sig;
  /* org.freedesktop.DBus.Property.EmitsChangedSignal: NULL means "true"
   * (PropertiesChanged carries it), else "const", "false" or "invalidates". */
  const char *emits;
} CLProperty;

typedef struct {
  const char *name;
  const CLMethod *methods;        /* terminated by a {NULL} entry */
  const CLProperty *properties;
  const CLSignal *signals;
  CLPropertiesFunc get_properties;
} CLInterface;

/* For fallback registrations: does the object at @suffix exist (NULL suffix
 * = the base path itself)? And which child nodes to list in introspection. */
typedef gboolean (*CLExistsFunc) (CLBus *bus, const char *suffix, gpointer data);
typedef char **(*CLChildrenFunc) (CLBus *bus, gpointer data);

CLBus *cl_bus_new (DBusConnection *conn);
void cl_bus_free (CLBus *bus);
DBusConnection *cl_bus_connection (CLBus *bus);

/* Ask for the well-known name (blocking, at start-up only). FALSE with a
 * message when another process owns it. */
gboolean cl_bus_request_name (CLBus *bus, const char *name, GError **error);

void cl_bus_register (CLBus *bus, const char *path, gboolean fallback,
                      const CLInterface *const *interfaces, gpointer data,
                      CLExistsFunc exists, CLChildrenFunc children);
void cl_bus_unregister_all (CLBus *bus);

/* Called when a client connection leaves the bus. */
typedef void (*CLVanishedFunc) (const char *unique_name, gpointer data);
void cl_bus_on_vanished (CLBus *bus, CLVanishedFunc func, gpointer data);
/* Called when our own bus connection drops. */
void cl_bus_on_disconnected (CLBus *bus, GSourceFunc func, gpointer data);

/* Signals: @args is a tuple; the call takes ownership of it (floating or
 * not). @destination NULL = broadcast. */
void cl_bus_emit (CLBus *bus, const char *destination, const char *path, const char *iface,
                  const char *member, GVariant *args);
void cl_bus_emit_properties_changed (CLBus *bus, const char *destination, const char *path,
                                     const char *iface, GVariant *changed);

/* The uid of a client connection we have seen calling; FALSE if unknown. */
gboolean cl_bus_known_uid (CLBus *bus, const char *unique_name, guint32 *uid);

/* Shutdown: refuse new calls; count of calls not yet answered. */
void cl_bus_stop_accepting (CLBus *bus);
guint cl_bus_in_flight (CLBus *bus);
void cl_bus_flush (CLBus *bus);

/* ---- calls ------------------------------------------------------------ */

const CLCaller *cl_call_caller (CLCall *call);
const char *cl_call_path (CLCall *call);
/* The path element below a fallback registration ("" for the base path). */
const char *cl_call_suffix (CLCall *call);
CLBus *cl_call_bus (CLCall *call);
const char *cl_call_member (CLCall *call);
struct _CLDurability;
/* Replies and signals wait for durable commits (durability.h). */
void cl_bus_set_durability (CLBus *bus, struct _CLDurability *durable);
/* For cl_durability_attach(): calls waiting to be read or dispatched. */
gboolean cl_bus_has_input (gpointer bus);
DBusMessage *cl_call_message (CLCall *call);

/* Reply with the tuple @out (NULL = no values; ownership is taken, floating
 * or not), then free the call. */
void cl_call_return (CLCall *call, GVariant *out);
/* For replies written straight into libdbus (cl-dbus-dict.h): the method
 * return to fill, then cl_call_return_message() sends it, takes the
 * reference and frees @call. */
DBusMessage *cl_call_new_return (CLCall *call);
void cl_call_return_message (CLCall *call, DBusMessage *reply);
/* Reply with @error (CL_ERROR codes map to org.caselink.Error.*), free the call. */
void cl_call_error (CLCall *call, const GError *error);
void cl_call_error_name (CLCall *call, const char *name, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
