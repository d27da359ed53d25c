/* ctl-bus.c — async method calls and their synchronous wrappers. */
#include "ctl-bus.h"

#include "case-path.h"
#include "cl-dbus-variant.h"
#include "cl-errors.h"
#include "ctl-error.h"

typedef struct {
  char *method;
  char *reply_type;
  int timeout_ms;
  CtlBusReplyFunc callback;
  gpointer user_data;
} PendingData;

static void
pending_data_free (void *data)
{
  PendingData *pd = data;

  g_free (pd->method);
  g_free (pd->reply_type);
  g_free (pd);
}

GVariant *
ctl_bus_message_args (DBusMessage *msg, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  GVariant *args = cl_dbus_message_get_args (msg, &local_error);

  if (args == NULL)
    {
      ctl_error_adopt (error, g_steal_pointer (&local_error));
      return NULL;
    }
  /* Serialise once: strings borrowed from a tree-form value could go away
   * when something later serialises it; from serialised data they live as
   * long as the tuple. */
  (void) g_variant_get_data (args);
  return args;
}

/* Turn a reply message into the tuple or the error the callback expects. */
static GVariant *
reply_to_variant (DBusMessage *reply, const PendingData *pd, GError **error)
{
  g_autoptr(GVariant) args = NULL;

  if (dbus_message_get_type (reply) == DBUS_MESSAGE_TYPE_ERROR)
    {
      DBusError derr;

      dbus_error_init (&derr);
      dbus_set_error_from_message (&derr, reply);
      /* The bus's and libdbus's own words do not say what is wrong in
       * caselink's terms; the error name stays as it was. */
      if (dbus_error_has_name (&derr, DBUS_ERROR_SERVICE_UNKNOWN)
          || dbus_error_has_name (&derr, DBUS_ERROR_NAME_HAS_NO_OWNER))
        ctl_set_error (error, derr.name, CTL_EXIT_FAILURE,
                       "caselinkd is not running on this bus (nobody owns org.caselink; is the service "
                       "started, and is this the bus it runs on?)");
      else if (dbus_error_has_name (&derr, DBUS_ERROR_NO_REPLY) || dbus_error_has_name (&derr, DBUS_ERROR_TIMEOUT))
        ctl_set_error (error, derr.name, CTL_EXIT_FAILURE,
                       "caselinkd did not answer %s within %d s: it is stuck or overloaded, or stopped "
                       "while the call was made", pd->method, (pd->timeout_ms + 999) / 1000);
      else
        ctl_set_dbus_error (error, derr.name, derr.message);
      dbus_error_free (&derr);
      return NULL;
    }

  args = ctl_bus_message_args (reply, error);
  if (args == NULL)
    return NULL;
  if (pd->reply_type != NULL
      && !g_variant_is_of_type (args, G_VARIANT_TYPE (pd->reply_type)))
    {
      ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                     "%s replied %s, expected %s; is caselinkd the same "
                     "version as caselinkctl?", pd->method,
                     g_variant_get_type_string (args), pd->reply_type);
      return NULL;
    }
  return g_steal_pointer (&args);
}

static void
pending_notify (DBusPendingCall *pending, void *data)
{
  PendingData *pd = data;
  DBusMessage *reply = dbus_pending_call_steal_reply (pending);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) args = NULL;

  if (reply == NULL)
    ctl_set_error (&error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                   "no reply to %s", pd->method);
  else
    {
      args = reply_to_variant (reply, pd, &error);
      dbus_message_unref (reply);
    }
  pd->callback (args, error, pd->user_data);
}

static gboolean
call_async (DBusConnection *conn, const char *destination, const char *path,
            const char *iface, const char *method, GVariant *args,
            const char *reply_type, int timeout_ms, CtlBusReplyFunc callback,
            gpointer user_data, GError **error)
{
  g_autoptr(GVariant) owned_args = args != NULL ? g_variant_ref_sink (args) : NULL;
  DBusMessage *msg;
  DBusPendingCall *pending = NULL;
  PendingData *pd;
  gboolean sent;

  msg = dbus_message_new_method_call (destination, path, iface, method);
  if (msg == NULL)
    g_error ("out of memory");  /* libdbus only fails here on OOM */
  if (owned_args != NULL && !cl_dbus_message_append_args (msg, owned_args))
    {
      dbus_message_unref (msg);
      ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                     "cannot encode the arguments of %s", method);
      return FALSE;
    }
  sent = dbus_connection_send_with_reply (conn, msg, &pending, timeout_ms);
  dbus_message_unref (msg);
  if (!sent || pending == NULL)
    {
      /* libdbus hands back no pending call when the connection is gone. */
      ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                     "cannot call %s: not connected to the bus", method);
      return FALSE;
    }

  pd = g_new0 (PendingData, 1);
  pd->method = g_strdup (method);
  pd->reply_type = g_strdup (reply_type);
  pd->timeout_ms = timeout_ms;
  pd->callback = callback;
  pd->user_data = user_data;
  if (!dbus_pending_call_set_notify (pending, pending_notify, pd, pending_data_free))
    g_error ("out of memory");
  /* Completion only happens while dispatching, so this is belt and braces:
   * a notify set after completion would never run. */
  if (dbus_pending_call_get_completed (pending))
    pending_notify (pending, pd);
  /* The connection keeps its own reference until the call completes. */
  dbus_pending_call_unref (pending);
  return TRUE;
}

gboolean
ctl_bus_call_async (DBusConnection *conn, const char *destination,
                    const char *path, const char *iface, const char *method,
                    GVariant *args, const char *reply_type,
                    CtlBusReplyFunc callback, gpointer user_data,
                    GError **error)
{
  return call_async (conn, destination, path, iface, method, args, reply_type,
                     CTL_CALL_TIMEOUT_MS, callback, user_data, error);
}

typedef struct {
  GMainLoop *loop;
  GVariant *reply;
  GError *error;
  gboolean done;
} SyncCall;

static void
sync_call_done (GVariant *reply, const GError *error, gpointer user_data)
{
  SyncCall *sc = user_data;

  if (reply != NULL)
    sc->reply = g_variant_ref (reply);
  if (error != NULL)
    sc->error = g_error_copy (error);
  sc->done = TRUE;
  g_main_loop_quit (sc->loop);
}

static GVariant *
call_sync (DBusConnection *conn, const char *destination, const char *path,
           const char *iface, const char *method, GVariant *args,
           const char *reply_type, int timeout_ms, GError **error)
{
  SyncCall sc = { 0 };

  sc.loop = g_main_loop_new (NULL, FALSE);
  if (!call_async (conn, destination, path, iface, method, args, reply_type,
                   timeout_ms, sync_call_done, &sc, error))
    {
      g_main_loop_unref (sc.loop);
      return NULL;
    }
  if (!sc.done)
    g_main_loop_run (sc.loop);
  g_main_loop_unref (sc.loop);

  if (sc.error != NULL)
    {
      g_propagate_error (error, sc.error);
      return NULL;
    }
  return sc.reply;
}

GVariant *
ctl_bus_call_full (DBusConnection *conn, const char *destination,
                   const char *path, const char *iface, const char *method,
                   GVariant *args, const char *reply_type, GError **error)
{
  return call_sync (conn, destination, path, iface, method, args, reply_type,
                    CTL_CALL_TIMEOUT_MS, error);
}

GVariant *
ctl_bus_call_long (DBusConnection *conn, const char *path, const char *iface,
                   const char *method, GVariant *args, const char *reply_type,
                   int timeout_ms, GError **error)
{
  return call_sync (conn, CL_DBUS_NAME, path, iface, method, args, reply_type,
                    timeout_ms, error);
}

GVariant *
ctl_bus_get_property (DBusConnection *conn, const char *path,
                      const char *iface, const char *name,
                      const char *value_type, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;

  reply = ctl_bus_call (conn, path, "org.freedesktop.DBus.Properties", "Get",
                        g_variant_new ("(ss)", iface, name), "(v)", error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(v)", &value);
  if (value_type != NULL && !g_variant_is_of_type (value, G_VARIANT_TYPE (value_type)))
    {
      ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                     "%s.%s is %s, expected %s; is caselinkd the same "
                     "version as caselinkctl?", iface, name,
                     g_variant_get_type_string (value), value_type);
      return NULL;
    }
  return g_steal_pointer (&value);
}

GVariant *
ctl_bus_call (DBusConnection *conn, const char *path, const char *iface,
              const char *method, GVariant *args, const char *reply_type,
              GError **error)
{
  return ctl_bus_call_full (conn, CL_DBUS_NAME, path, iface, method, args,
                            reply_type, error);
}

GVariant *
ctl_bus_get_all (DBusConnection *conn, const char *path, const char *iface,
                 GError **error)
{
  g_autoptr(GVariant) reply = NULL;

  reply = ctl_bus_call (conn, path, "org.freedesktop.DBus.Properties", "GetAll",
                        g_variant_new ("(s)", iface), "(a{sv})", error);
  if (reply == NULL)
    return NULL;
  return g_variant_get_child_value (reply, 0);
}

char *
ctl_bus_get_case_path (DBusConnection *conn, const char *id, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  char *path = NULL;

  reply = ctl_bus_call (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase",
                        g_variant_new ("(s)", id), "(o)", error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(o)", &path);
  return path;
}

GVariant *
ctl_bus_get_case_all (DBusConnection *conn, const char *id, char **path,
                      GError **error)
{
  g_autofree char *guess = NULL;
  GVariant *props;

  /* GetAll straight on the path that GetCase answers for an existing case
   * (daemon/case-path.c): one round trip instead of two. Any failure there
   * (no such case, one the caller may not see) asks GetCase after all, so
   * errors read exactly as they always did. Reads only: a change must not
   * be sent twice. */
  if (*id != '\0')
    {
      guess = cl_case_path_for_id (id);
      if (dbus_validate_path (guess, NULL))
        {
          props = ctl_bus_get_all (conn, guess, CL_CASE_IFACE, NULL);
          if (props != NULL)
            {
              *path = g_steal_pointer (&guess);
              return props;
            }
        }
    }

  *path = ctl_bus_get_case_path (conn, id, error);
  if (*path == NULL)
    return NULL;
  props = ctl_bus_get_all (conn, *path, CL_CASE_IFACE, error);
  if (props == NULL)
    g_clear_pointer (path, g_free);
  return props;
}
