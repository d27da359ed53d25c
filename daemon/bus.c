/* bus.c — libdbus objects, dispatch by table, caller identity, signals. */
#define G_LOG_DOMAIN "caselink-bus"

#include "bus.h"
#include "bus-private.h"
#include "durability.h"
#include "cl-dbus-glue.h"
#include "cl-dbus-variant.h"
#include "cl-errors.h"

#include <poll.h>
#include <stdarg.h>
#include <string.h>

#define DBUS_IFACE_PROPERTIES "org.freedesktop.DBus.Properties"
#define DBUS_IFACE_INTROSPECTABLE "org.freedesktop.DBus.Introspectable"
#define IDENTITY_TIMEOUT_MS 10000

struct _CLBus {
  DBusConnection *conn;
  GHashTable *uids;          /* unique name -> GUINT_TO_POINTER (uid + 1) */
  GHashTable *lookups;       /* unique name -> Lookup in flight */
  GPtrArray *registrations;
  CLVanishedFunc vanished;
  gpointer vanished_data;
  GSourceFunc disconnected;
  gpointer disconnected_data;
  gboolean accepting;
  guint in_flight;
  GHashTable *per_sender;    /* unique name -> calls in flight (GUINT) */
  CLDurability *durable;     /* not owned; NULL: send at once */
};

typedef enum {
  CALL_METHOD,
  CALL_GET,
  CALL_GET_ALL,
} CallKind;

struct _CLCall {
  CLBus *bus;
  DBusMessage *msg;
  CLRegistration *reg;
  const CLInterface *iface;
  const CLMethod *method;
  CallKind kind;
  GVariant *args;            /* methods only */
  const char *prop;          /* Get: the property, borrowed from @msg */
  CLCaller caller;
  char *suffix;
};

/* ---- calls ------------------------------------------------------------ */

static void
call_free (CLCall *call)
{
  const char *sender = dbus_message_get_sender (call->msg);
  guint n = sender ? GPOINTER_TO_UINT (g_hash_table_lookup (call->bus->per_sender, sender)) : 0;

  if (n > 1)
    g_hash_table_insert (call->bus->per_sender, g_strdup (sender), GUINT_TO_POINTER (n - 1));
  else if (sender != NULL)
    g_hash_table_remove (call->bus->per_sender, sender);
  call->bus->in_flight--;
  dbus_message_unref (call->msg);
  g_clear_pointer (&call->args, g_variant_unref);
  g_free (call->caller.unique_name);
  g_free (call->suffix);
  g_free (call);
}

/* An error reply to @call_msg. Messages quote what callers sent, cut to a
 * number of bytes ('%.64s'), which can split a character: libdbus aborts
 * the process on a string that is not UTF-8, so the text is mended first. */
static DBusMessage *
new_error (DBusMessage *call_msg, const char *name, const char *text)
{
  g_autofree char *valid = NULL;
  DBusMessage *reply;

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  reply = dbus_message_new_error (call_msg, name, text);
  if (reply == NULL)
    g_error ("out of memory");
  return reply;
}

/* Every reply and signal leaves here: after the commits before it are
 * durable (durability.h). */
static void
bus_send (CLBus *bus, DBusMessage *msg)
{
  if (bus->durable != NULL)
    cl_durability_send (bus->durable, msg);
  else
    dbus_connection_send (bus->conn, msg, NULL);
}

static void
send_and_free (CLCall *call, DBusMessage *reply)
{
  if (reply != NULL)
    {
      if (!dbus_message_get_no_reply (call->msg))
        bus_send (call->bus, reply);
      dbus_message_unref (reply);
    }
  call_free (call);
}

const CLCaller *
cl_call_caller (CLCall *call)
{
  return &call->caller;
}

const char *
cl_call_path (CLCall *call)
{
  return dbus_message_get_path (call->msg);
}

const char *
cl_call_suffix (CLCall *call)
{
  return call->suffix;
}

CLBus *
cl_call_bus (CLCall *call)
{
  return call->bus;
}

DBusMessage *
cl_call_message (CLCall *call)
{
  return call->msg;
}

const char *
cl_call_member (CLCall *call)
{
  return dbus_message_get_member (call->msg);
}

void
cl_call_return (CLCall *call, GVariant *out)
{
  DBusMessage *reply = dbus_message_new_method_return (call->msg);
  g_autoptr(GVariant) owned = out != NULL ? g_variant_take_ref (out) : NULL;

  if (reply == NULL)
    g_error ("out of memory");
  if (owned != NULL && !cl_dbus_message_append_args (reply, owned))
    {
      g_warning ("cannot encode the reply to %s", cl_call_member (call));
      dbus_message_unref (reply);
      reply = dbus_message_new_error (call->msg, cl_error_to_dbus_name (CL_ERROR_FAILED),
                                      "internal error: the reply could not be encoded");
    }
  send_and_free (call, reply);
}

DBusMessage *
cl_call_new_return (CLCall *call)
{
  DBusMessage *reply = dbus_message_new_method_return (call->msg);

  if (reply == NULL)
    g_error ("out of memory");
  return reply;
}

void
cl_call_return_message (CLCall *call, DBusMessage *reply)
{
  send_and_free (call, reply);
}

void
cl_call_error_name (CLCall *call, const char *name, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  send_and_free (call, new_error (call->msg, name, msg));
}

void
cl_call_error (CLCall *call, const GError *error)
{
  const char *name = error->domain == CL_ERROR ? cl_error_to_dbus_name ((CLError) error->code)
                                               : cl_error_to_dbus_name (CL_ERROR_FAILED);
  cl_call_error_name (call, name, "%s", error->message);
}

/* ---- properties ------------------------------------------------------- */

static const CLProperty *
find_property (const CLInterface *iface, const char *name)
{
  for (const CLProperty *p = iface->properties; p != NULL && p->name != NULL; p++)
    if (g_str_equal (p->name, name))
      return p;
  return NULL;
}

static void
run_properties (CLCall *call)
{
  GVariantBuilder b;
  g_autoptr(GError) error = NULL;
  const char *prop = NULL;
  g_autoptr(GVariant) all = NULL;
  if (call->kind == CALL_GET)
    prop = call->prop;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  if (call->iface->get_properties != NULL
      && !call->iface->get_properties (call, prop, &b, call->reg->data, &error))
    {
      g_variant_builder_clear (&b);
      cl_call_error (call, error);
      return;
    }
  all = g_variant_ref_sink (g_variant_builder_end (&b));
  if (call->kind == CALL_GET_ALL)
    {
      cl_call_return (call, g_variant_new ("(@a{sv})", all));
      return;
    }
  {
    g_autoptr(GVariant) value = g_variant_lookup_value (all, prop, NULL);
    if (value == NULL)
      {
        cl_call_error_name (call, DBUS_ERROR_FAILED, "property %s has no value", prop);
        return;
      }
    /* Straight into the reply: Get is the most frequent call of all. */
    {
      DBusMessage *reply = cl_call_new_return (call);
      DBusMessageIter iter;

      dbus_message_iter_init_append (reply, &iter);
      if (!cl_dbus_iter_append_variant (&iter, value))
        {
          dbus_message_unref (reply);
          cl_call_error_name (call, cl_error_to_dbus_name (CL_ERROR_FAILED),
                              "internal error: the reply could not be encoded");
          return;
        }
      cl_call_return_message (call, reply);
    }
  }
}

static void
run_call (CLCall *call)
{
  if (call->kind == CALL_METHOD)
    call->method->func (call, call->args, call->reg->data);
  else
    run_properties (call);
}

/* ---- caller identity -------------------------------------------------- */

/* One lookup in flight per client connection; its calls wait in order. */
typedef struct {
  CLBus *bus;
  char *name;
  DBusPendingCall *pending;
  GQueue calls;
} Lookup;

static void
lookup_free (gpointer p)
{
  Lookup *l = p;
  CLCall *call;

  if (l->pending != NULL)
    {
      dbus_pending_call_cancel (l->pending);
      dbus_pending_call_unref (l->pending);
    }
  while ((call = g_queue_pop_head (&l->calls)) != NULL)
    call_free (call);
  g_free (l->name);
  g_free (l);
}

static void
identity_reply (DBusPendingCall *pending, void *user_data)
{
  Lookup *l = user_data;
  CLBus *bus = l->bus;
  DBusMessage *reply = dbus_pending_call_steal_reply (pending);
  gboolean ok = FALSE;
  guint32 uid = 0;
  CLCall *call;

  if (reply != NULL && dbus_message_get_type (reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN)
    {
      g_autoptr(GVariant) args = cl_dbus_message_get_args (reply, NULL);
      g_autoptr(GVariant) creds = args ? g_variant_get_child_value (args, 0) : NULL;
      if (creds != NULL && g_variant_is_of_type (creds, G_VARIANT_TYPE_VARDICT))
        ok = g_variant_lookup (creds, "UnixUserID", "u", &uid);
    }
  if (reply != NULL)
    dbus_message_unref (reply);
  if (ok)
    g_hash_table_insert (bus->uids, g_strdup (l->name), GUINT_TO_POINTER (uid + 1));

  g_hash_table_steal (bus->lookups, l->name);
  dbus_pending_call_unref (l->pending);
  l->pending = NULL;
  while ((call = g_queue_pop_head (&l->calls)) != NULL)
    {
      if (ok)
        {
          call->caller.uid = uid;
          run_call (call);
        }
      else
        cl_call_error_name (call, DBUS_ERROR_ACCESS_DENIED, "cannot determine who is calling");
    }
  lookup_free (l);
}

static void
resolve_and_run (CLCall *call)
{
  CLBus *bus = call->bus;
  const char *sender = dbus_message_get_sender (call->msg);
  gpointer cached;
  Lookup *l;
  DBusMessage *req;

  if (sender == NULL)
    {
      cl_call_error_name (call, DBUS_ERROR_ACCESS_DENIED, "calls must come through the bus");
      return;
    }
  call->caller.unique_name = g_strdup (sender);
  cached = g_hash_table_lookup (bus->uids, sender);
  if (cached != NULL)
    {
      call->caller.uid = GPOINTER_TO_UINT (cached) - 1;
      run_call (call);
      return;
    }
  l = g_hash_table_lookup (bus->lookups, sender);
  if (l != NULL)
    {
      g_queue_push_tail (&l->calls, call);
      return;
    }
  req = dbus_message_new_method_call (DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS,
                                      "GetConnectionCredentials");
  dbus_message_append_args (req, DBUS_TYPE_STRING, &sender, DBUS_TYPE_INVALID);
  l = g_new0 (Lookup, 1);
  l->bus = bus;
  l->name = g_strdup (sender);
  g_queue_init (&l->calls);
  if (!dbus_connection_send_with_reply (bus->conn, req, &l->pending, IDENTITY_TIMEOUT_MS) || l->pending == NULL)
    {
      dbus_message_unref (req);
      lookup_free (l);
      cl_call_error_name (call, DBUS_ERROR_FAILED, "cannot ask the bus who is calling");
      return;
    }
  dbus_message_unref (req);
  g_queue_push_tail (&l->calls, call);
  g_hash_table_insert (bus->lookups, l->name, l);
  dbus_pending_call_set_notify (l->pending, identity_reply, l, NULL);
}

/* ---- dispatch --------------------------------------------------------- */

static const CLInterface *
find_interface (CLRegistration *reg, const char *name)
{
  for (const CLInterface *const *i = reg->interfaces; *i != NULL; i++)
    if (g_str_equal ((*i)->name, name))
      return *i;
  return NULL;
}

static const CLMethod *
find_method (CLRegistration *reg, const char *iface_name, const char *member, const CLInterface **iface_out)
{
  for (const CLInterface *const *i = reg->interfaces; *i != NULL; i++)
    {
      if (iface_name != NULL && !g_str_equal ((*i)->name, iface_name))
        continue;
      for (const CLMethod *m = (*i)->methods; m != NULL && m->name != NULL; m++)
        if (g_str_equal (m->name, member))
          {
            *iface_out = *i;
            return m;
          }
    }
  return NULL;
}

static DBusHandlerResult
reply_error (CLBus *bus, DBusMessage *msg, const char *name, const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static DBusHandlerResult
reply_error (CLBus *bus, DBusMessage *msg, const char *name, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *text = NULL;
  DBusMessage *reply;

  va_start (ap, fmt);
  text = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (!dbus_message_get_no_reply (msg))
    {
      reply = new_error (msg, name, text);
      bus_send (bus, reply);
      dbus_message_unref (reply);
    }
  return DBUS_HANDLER_RESULT_HANDLED;
}

static DBusHandlerResult
handle_properties (CLRegistration *reg, DBusMessage *msg, const char *member, CLCall **out)
{
  CLBus *bus = reg->bus;
  const char *iface_name = NULL, *prop = NULL;
  const CLInterface *iface;
  CallKind kind;

  if (g_str_equal (member, "Get"))
    {
      if (!dbus_message_has_signature (msg, "ss"))
        return reply_error (bus, msg, DBUS_ERROR_INVALID_ARGS, "Get takes (ss), got (%s)", dbus_message_get_signature (msg));
      dbus_message_get_args (msg, NULL, DBUS_TYPE_STRING, &iface_name, DBUS_TYPE_STRING, &prop, DBUS_TYPE_INVALID);
      kind = CALL_GET;
    }
  else if (g_str_equal (member, "GetAll"))
    {
      if (!dbus_message_has_signature (msg, "s"))
        return reply_error (bus, msg, DBUS_ERROR_INVALID_ARGS, "GetAll takes (s), got (%s)", dbus_message_get_signature (msg));
      dbus_message_get_args (msg, NULL, DBUS_TYPE_STRING, &iface_name, DBUS_TYPE_INVALID);
      kind = CALL_GET_ALL;
    }
  else if (g_str_equal (member, "Set"))
    {
      if (!dbus_message_has_signature (msg, "ssv"))
        return reply_error (bus, msg, DBUS_ERROR_INVALID_ARGS, "Set takes (ssv), got (%s)", dbus_message_get_signature (msg));
      dbus_message_get_args (msg, NULL, DBUS_TYPE_STRING, &iface_name, DBUS_TYPE_STRING, &prop, DBUS_TYPE_INVALID);
      iface = find_interface (reg, iface_name);
      if (iface == NULL)
        return reply_error (bus, msg, DBUS_ERROR_UNKNOWN_INTERFACE, "no interface %s here", iface_name);
      if (find_property (iface, prop) == NULL)
        return reply_error (bus, msg, DBUS_ERROR_UNKNOWN_PROPERTY, "no property %s.%s", iface_name, prop);
      /* the hint only where there is something to change instead */
      return reply_error (bus, msg, DBUS_ERROR_PROPERTY_READ_ONLY, "%s.%s is read-only%s", iface_name, prop,
                          g_str_equal (iface_name, CL_CASE_IFACE) ? "; change cases with Advance or Update" : "");
    }
  else
    return reply_error (bus, msg, DBUS_ERROR_UNKNOWN_METHOD, "no method %s in %s", member, DBUS_IFACE_PROPERTIES);

  iface = find_interface (reg, iface_name);
  if (iface == NULL)
    {
      if (kind == CALL_GET_ALL && (g_str_equal (iface_name, DBUS_IFACE_PROPERTIES)
                                   || g_str_equal (iface_name, DBUS_IFACE_INTROSPECTABLE)
                                   || g_str_equal (iface_name, DBUS_INTERFACE_PEER)))
        {
          DBusMessage *reply;
          DBusMessageIter it, sub;

          if (dbus_message_get_no_reply (msg))
            return DBUS_HANDLER_RESULT_HANDLED;
          reply = dbus_message_new_method_return (msg);
          dbus_message_iter_init_append (reply, &it);
          dbus_message_iter_open_container (&it, DBUS_TYPE_ARRAY, "{sv}", &sub);
          dbus_message_iter_close_container (&it, &sub);
          bus_send (bus, reply);
          dbus_message_unref (reply);
          return DBUS_HANDLER_RESULT_HANDLED;
        }
      return reply_error (bus, msg, DBUS_ERROR_UNKNOWN_INTERFACE, "no interface %s here", iface_name);
    }
  if (kind == CALL_GET && find_property (iface, prop) == NULL)
    return reply_error (bus, msg, DBUS_ERROR_UNKNOWN_PROPERTY, "no property %s.%s", iface_name, prop);

  *out = g_new0 (CLCall, 1);
  (*out)->iface = iface;
  (*out)->kind = kind;
  (*out)->prop = prop;
  return DBUS_HANDLER_RESULT_HANDLED;
}

static DBusHandlerResult
object_message (DBusConnection *conn, DBusMessage *msg, void *user_data)
{
  CLRegistration *reg = user_data;
  CLBus *bus = reg->bus;
  const char *iface_name = dbus_message_get_interface (msg);
  const char *member = dbus_message_get_member (msg);
  const char *path = dbus_message_get_path (msg);
  const char *suffix = "";
  CLCall *call = NULL;
  g_autoptr(GError) error = NULL;

  if (dbus_message_get_type (msg) != DBUS_MESSAGE_TYPE_METHOD_CALL)
    return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;

  if (reg->fallback && strlen (path) > strlen (reg->path))
    {
      suffix = path + strlen (reg->path) + 1;
      if (strchr (suffix, '/') != NULL)
        return reply_error (bus, msg, DBUS_ERROR_UNKNOWN_OBJECT, "no object at %s", path);
    }

  if (g_strcmp0 (iface_name, DBUS_IFACE_INTROSPECTABLE) == 0 && g_str_equal (member, "Introspect"))
    {
      g_autofree char *xml = NULL;
      DBusMessage *reply;

      if (*suffix != '\0' && reg->exists != NULL && !reg->exists (bus, suffix, reg->data))
        return reply_error (bus, msg, DBUS_ERROR_UNKNOWN_OBJECT, "no object at %s", path);
      /* Nothing to do for a caller who wants no answer (a flood of these
       * once queued hundreds of MB of XML nobody read). */
      if (dbus_message_get_no_reply (msg))
        return DBUS_HANDLER_RESULT_HANDLED;
      xml = cl_bus_introspect (bus, reg, path, *suffix != '\0');
      reply = dbus_message_new_method_return (msg);
      dbus_message_append_args (reply, DBUS_TYPE_STRING, &xml, DBUS_TYPE_INVALID);
      bus_send (bus, reply);
      dbus_message_unref (reply);
      return DBUS_HANDLER_RESULT_HANDLED;
    }

  /* The base of a fallback (e.g. /org/caselink/case) carries no interface. */
  if (reg->fallback && *suffix == '\0')
    return reply_error (bus, msg, DBUS_ERROR_UNKNOWN_OBJECT, "%s is a container; its objects are below it", path);

  if (g_strcmp0 (iface_name, DBUS_IFACE_PROPERTIES) == 0)
    {
      DBusHandlerResult r = handle_properties (reg, msg, member, &call);
      if (call == NULL)
        return r;
    }
  else
    {
      const CLInterface *iface = NULL;
      const CLMethod *method = find_method (reg, iface_name, member, &iface);

      if (method == NULL)
        {
          if (iface_name != NULL && find_interface (reg, iface_name) == NULL)
            return reply_error (bus, msg, DBUS_ERROR_UNKNOWN_INTERFACE, "no interface %s at %s", iface_name, path);
          return reply_error (bus, msg, DBUS_ERROR_UNKNOWN_METHOD, "no method %s%s%s at %s",
                              iface_name ? iface_name : "", iface_name ? "." : "", member, path);
        }
      if (!dbus_message_has_signature (msg, method->in_sig))
        return reply_error (bus, msg, DBUS_ERROR_INVALID_ARGS, "%s takes (%s), got (%s)", member,
                            method->in_sig, dbus_message_get_signature (msg));
      call = g_new0 (CLCall, 1);
      call->iface = iface;
      call->method = method;
      call->kind = CALL_METHOD;
    }

  {
    const char *sender = dbus_message_get_sender (msg);
    guint n = sender ? GPOINTER_TO_UINT (g_hash_table_lookup (bus->per_sender, sender)) : 0;

    /* One connection may not queue unbounded work in the daemon. */
    if (n >= CL_BUS_MAX_PENDING_PER_CONNECTION)
      {
        g_free (call);
        return reply_error (bus, msg, DBUS_ERROR_LIMITS_EXCEEDED,
                            "too many calls in flight from this connection (at most %d): wait for replies",
                            CL_BUS_MAX_PENDING_PER_CONNECTION);
      }
    if (sender != NULL)
      g_hash_table_insert (bus->per_sender, g_strdup (sender), GUINT_TO_POINTER (n + 1));
  }
  call->bus = bus;
  call->reg = reg;
  call->msg = dbus_message_ref (msg);
  call->suffix = g_strdup (suffix);
  bus->in_flight++;

  if (!bus->accepting)
    {
      cl_call_error_name (call, cl_error_to_dbus_name (CL_ERROR_FAILED), "caselinkd is shutting down");
      return DBUS_HANDLER_RESULT_HANDLED;
    }
  /* Properties calls were read and checked above; methods get their
   * arguments as one tuple. */
  if (call->kind == CALL_METHOD && (call->args = cl_dbus_message_get_args (msg, &error)) == NULL)
    {
      cl_call_error_name (call, DBUS_ERROR_INVALID_ARGS, "%s", error->message);
      return DBUS_HANDLER_RESULT_HANDLED;
    }
  resolve_and_run (call);
  return DBUS_HANDLER_RESULT_HANDLED;
}

/* ---- bus-level signals ------------------------------------------------ */

static DBusHandlerResult
bus_filter (DBusConnection *conn, DBusMessage *msg, void *user_data)
{
  CLBus *bus = user_data;

  if (dbus_message_is_signal (msg, DBUS_INTERFACE_LOCAL, "Disconnected"))
    {
      g_warning ("lost the connection to the bus");
      if (bus->disconnected != NULL)
        g_idle_add (bus->disconnected, bus->disconnected_data);
      return DBUS_HANDLER_RESULT_HANDLED;
    }
  if (dbus_message_is_signal (msg, DBUS_INTERFACE_DBUS, "NameOwnerChanged")
      && g_strcmp0 (dbus_message_get_sender (msg), DBUS_SERVICE_DBUS) == 0)
    {
      const char *name = NULL, *old_owner = NULL, *new_owner = NULL;

      if (dbus_message_get_args (msg, NULL, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING, &old_owner,
                                 DBUS_TYPE_STRING, &new_owner, DBUS_TYPE_INVALID)
          && name[0] == ':' && new_owner[0] == '\0')
        {
          g_hash_table_remove (bus->uids, name);
          if (bus->vanished != NULL)
            bus->vanished (name, bus->vanished_data);
        }
    }
  return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

/* ---- lifetime --------------------------------------------------------- */

static void
registration_free (gpointer p)
{
  CLRegistration *reg = p;
  g_free (reg->path);
  g_free (reg);
}

CLBus *
cl_bus_new (DBusConnection *conn)
{
  CLBus *bus = g_new0 (CLBus, 1);
  DBusError derr;

  bus->conn = dbus_connection_ref (conn);
  bus->uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  bus->lookups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, lookup_free);
  bus->per_sender = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  bus->registrations = g_ptr_array_new_with_free_func (registration_free);
  bus->accepting = TRUE;

  dbus_connection_add_filter (conn, bus_filter, bus, NULL);
  dbus_error_init (&derr);
  dbus_bus_add_match (conn, "type='signal',sender='" DBUS_SERVICE_DBUS "',interface='" DBUS_INTERFACE_DBUS
                      "',member='NameOwnerChanged'", &derr);
  if (dbus_error_is_set (&derr))
    {
      g_warning ("cannot watch clients leaving the bus: %s", derr.message);
      dbus_error_free (&derr);
    }
  return bus;
}

void
cl_bus_free (CLBus *bus)
{
  if (bus == NULL)
    return;
  cl_bus_unregister_all (bus);
  dbus_connection_remove_filter (bus->conn, bus_filter, bus);
  g_hash_table_unref (bus->lookups);
  g_hash_table_unref (bus->per_sender);
  g_hash_table_unref (bus->uids);
  g_ptr_array_unref (bus->registrations);
  dbus_connection_unref (bus->conn);
  g_free (bus);
}

DBusConnection *
cl_bus_connection (CLBus *bus)
{
  return bus->conn;
}

gboolean
cl_bus_request_name (CLBus *bus, const char *name, GError **error)
{
  DBusError derr;
  int rc;

  dbus_error_init (&derr);
  rc = dbus_bus_request_name (bus->conn, name, DBUS_NAME_FLAG_DO_NOT_QUEUE, &derr);
  if (dbus_error_is_set (&derr))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "cannot own %s: %s", name, derr.message);
      dbus_error_free (&derr);
      return FALSE;
    }
  if (rc != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER && rc != DBUS_REQUEST_NAME_REPLY_ALREADY_OWNER)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED,
                   "the name %s is already owned by another process (is caselinkd already running?)", name);
      return FALSE;
    }
  return TRUE;
}

static const DBusObjectPathVTable vtable = {
  .message_function = object_message,
};

void
cl_bus_register (CLBus *bus, const char *path, gboolean fallback, const CLInterface *const *interfaces,
                 gpointer data, CLExistsFunc exists, CLChildrenFunc children)
{
  CLRegistration *reg = g_new0 (CLRegistration, 1);
  DBusError derr;
  dbus_bool_t ok;

  reg->bus = bus;
  reg->path = g_strdup (path);
  reg->fallback = fallback;
  reg->interfaces = interfaces;
  reg->data = data;
  reg->exists = exists;
  reg->children = children;
  dbus_error_init (&derr);
  ok = fallback ? dbus_connection_try_register_fallback (bus->conn, path, &vtable, reg, &derr)
                : dbus_connection_try_register_object_path (bus->conn, path, &vtable, reg, &derr);
  if (!ok)
    g_error ("cannot register %s: %s", path, derr.message);
  g_ptr_array_add (bus->registrations, reg);
}

void
cl_bus_unregister_all (CLBus *bus)
{
  for (guint i = 0; i < bus->registrations->len; i++)
    {
      CLRegistration *reg = g_ptr_array_index (bus->registrations, i);
      dbus_connection_unregister_object_path (bus->conn, reg->path);
    }
  g_ptr_array_set_size (bus->registrations, 0);
}

void
cl_bus_on_vanished (CLBus *bus, CLVanishedFunc func, gpointer data)
{
  bus->vanished = func;
  bus->vanished_data = data;
}

void
cl_bus_on_disconnected (CLBus *bus, GSourceFunc func, gpointer data)
{
  bus->disconnected = func;
  bus->disconnected_data = data;
}

void
cl_bus_emit (CLBus *bus, const char *destination, const char *path, const char *iface,
             const char *member, GVariant *args)
{
  DBusMessage *msg = dbus_message_new_signal (path, iface, member);
  g_autoptr(GVariant) owned = args != NULL ? g_variant_take_ref (args) : NULL;

  if (msg == NULL)
    g_error ("out of memory");
  if (destination != NULL)
    dbus_message_set_destination (msg, destination);
  if (owned == NULL || cl_dbus_message_append_args (msg, owned))
    bus_send (bus, msg);
  else
    g_warning ("cannot encode signal %s.%s", iface, member);
  dbus_message_unref (msg);
}

void
cl_bus_emit_properties_changed (CLBus *bus, const char *destination, const char *path,
                                const char *iface, GVariant *changed)
{
  cl_bus_emit (bus, destination, path, DBUS_IFACE_PROPERTIES, "PropertiesChanged",
               g_variant_new ("(s@a{sv}@as)", iface, changed, g_variant_new_strv (NULL, 0)));
}

gboolean
cl_bus_known_uid (CLBus *bus, const char *unique_name, guint32 *uid)
{
  gpointer v = g_hash_table_lookup (bus->uids, unique_name);

  if (v == NULL)
    return FALSE;
  *uid = GPOINTER_TO_UINT (v) - 1;
  return TRUE;
}

void
cl_bus_stop_accepting (CLBus *bus)
{
  bus->accepting = FALSE;
}

guint
cl_bus_in_flight (CLBus *bus)
{
  return bus->in_flight;
}

void
cl_bus_set_durability (CLBus *bus, CLDurability *durable)
{
  bus->durable = durable;
}

/* Calls already read and not dispatched, or waiting on the socket. */
gboolean
cl_bus_has_input (gpointer data)
{
  CLBus *bus = data;
  struct pollfd p = { .events = POLLIN };

  if (dbus_connection_get_dispatch_status (bus->conn) == DBUS_DISPATCH_DATA_REMAINS)
    return TRUE;
  if (!dbus_connection_get_socket (bus->conn, &p.fd))
    return FALSE;
  return poll (&p, 1, 0) > 0 && (p.revents & POLLIN) != 0;
}

void
cl_bus_flush (CLBus *bus)
{
  dbus_connection_flush (bus->conn);
}
