/* cl-dbus-glue.c — libdbus on a GLib main context.
 *
 * Watches become fd sources whose lifetime is tied to the DBusWatch through
 * dbus_watch_set_data(); timeouts become repeating GLib timeouts (libdbus
 * timeouts repeat until removed); dispatching happens from an idle source
 * scheduled by the dispatch-status callback, never inside a libdbus callback.
 */
#include "cl-dbus-glue.h"
#include "cl-errors.h"

#include <glib-unix.h>

typedef struct {
  DBusConnection *conn;     /* not owned: the glue lives as long as the connection data */
  GMainContext *context;
  guint dispatch_id;
} Glue;

static dbus_int32_t glue_slot = -1;

static void
glue_free (gpointer data)
{
  Glue *glue = data;

  if (glue->dispatch_id != 0)
    {
      GSource *src = g_main_context_find_source_by_id (glue->context, glue->dispatch_id);
      if (src != NULL)
        g_source_destroy (src);
    }
  g_main_context_unref (glue->context);
  g_free (glue);
}

/* ---- watches ---------------------------------------------------------- */

typedef struct {
  GSource *source;
  GMainContext *context;
  DBusConnection *conn;
} WatchData;

static gboolean
watch_ready (gint fd, GIOCondition cond, gpointer user_data)
{
  DBusWatch *watch = user_data;
  WatchData *wd = dbus_watch_get_data (watch);
  DBusConnection *conn;
  unsigned int flags = 0;

  if (cond & G_IO_IN)
    flags |= DBUS_WATCH_READABLE;
  if (cond & G_IO_OUT)
    flags |= DBUS_WATCH_WRITABLE;
  if (cond & G_IO_ERR)
    flags |= DBUS_WATCH_ERROR;
  if (cond & G_IO_HUP)
    flags |= DBUS_WATCH_HANGUP;

  /* dbus_watch_handle() may drop the last reference of the connection via
   * the Disconnected path; keep it alive for the duration. It may also free
   * the watch and with it @wd (a transport that disconnects): nothing of
   * either is read after it. */
  conn = wd->conn;
  dbus_connection_ref (conn);
  dbus_watch_handle (watch, flags);
  dbus_connection_unref (conn);
  return G_SOURCE_CONTINUE;
}

static void
watch_source_remove (WatchData *wd)
{
  if (wd->source != NULL)
    {
      g_source_destroy (wd->source);
      g_source_unref (wd->source);
      wd->source = NULL;
    }
}

static void
watch_source_add (DBusWatch *watch, WatchData *wd)
{
  unsigned int flags = dbus_watch_get_flags (watch);
  GIOCondition cond = G_IO_ERR | G_IO_HUP;

  if (flags & DBUS_WATCH_READABLE)
    cond |= G_IO_IN;
  if (flags & DBUS_WATCH_WRITABLE)
    cond |= G_IO_OUT;

  wd->source = g_unix_fd_source_new (dbus_watch_get_unix_fd (watch), cond);
  g_source_set_callback (wd->source, (GSourceFunc) (void (*) (void)) watch_ready, watch, NULL);
  g_source_set_name (wd->source, "[caselink] dbus watch");
  /* GLib takes a blocked (non-recursive) source's fds out of the poll set
   * around each dispatch, writing the loop's eventfd twice and polling once
   * more per message; nothing here runs a nested loop, so allow recursion. */
  g_source_set_can_recurse (wd->source, TRUE);
  g_source_attach (wd->source, wd->context);
}

static void
watch_data_free (void *data)
{
  WatchData *wd = data;
  watch_source_remove (wd);
  g_main_context_unref (wd->context);
  g_free (wd);
}

static dbus_bool_t
add_watch (DBusWatch *watch, void *data)
{
  Glue *glue = data;
  WatchData *wd = g_new0 (WatchData, 1);

  wd->context = g_main_context_ref (glue->context);
  wd->conn = glue->conn;
  dbus_watch_set_data (watch, wd, watch_data_free);
  if (dbus_watch_get_enabled (watch))
    watch_source_add (watch, wd);
  return TRUE;
}

static void
remove_watch (DBusWatch *watch, void *data)
{
  WatchData *wd = dbus_watch_get_data (watch);
  if (wd != NULL)
    watch_source_remove (wd);
}

static void
toggle_watch (DBusWatch *watch, void *data)
{
  WatchData *wd = dbus_watch_get_data (watch);
  if (wd == NULL)
    return;
  watch_source_remove (wd);
  if (dbus_watch_get_enabled (watch))
    watch_source_add (watch, wd);
}

/* ---- timeouts --------------------------------------------------------- */

typedef struct {
  GSource *source;
  GMainContext *context;
} TimeoutData;

static gboolean
timeout_fired (gpointer user_data)
{
  DBusTimeout *timeout = user_data;
  /* libdbus timeouts repeat until libdbus removes or toggles them. */
  dbus_timeout_handle (timeout);
  return G_SOURCE_CONTINUE;
}

static void
timeout_source_remove (TimeoutData *td)
{
  if (td->source != NULL)
    {
      g_source_destroy (td->source);
      g_source_unref (td->source);
      td->source = NULL;
    }
}

static void
timeout_source_add (DBusTimeout *timeout, TimeoutData *td)
{
  td->source = g_timeout_source_new (dbus_timeout_get_interval (timeout));
  g_source_set_callback (td->source, timeout_fired, timeout, NULL);
  g_source_set_name (td->source, "[caselink] dbus timeout");
  g_source_attach (td->source, td->context);
}

static void
timeout_data_free (void *data)
{
  TimeoutData *td = data;
  timeout_source_remove (td);
  g_main_context_unref (td->context);
  g_free (td);
}

static dbus_bool_t
add_timeout (DBusTimeout *timeout, void *data)
{
  Glue *glue = data;
  TimeoutData *td = g_new0 (TimeoutData, 1);

  td->context = g_main_context_ref (glue->context);
  dbus_timeout_set_data (timeout, td, timeout_data_free);
  if (dbus_timeout_get_enabled (timeout))
    timeout_source_add (timeout, td);
  return TRUE;
}

static void
remove_timeout (DBusTimeout *timeout, void *data)
{
  TimeoutData *td = dbus_timeout_get_data (timeout);
  if (td != NULL)
    timeout_source_remove (td);
}

static void
toggle_timeout (DBusTimeout *timeout, void *data)
{
  TimeoutData *td = dbus_timeout_get_data (timeout);
  if (td == NULL)
    return;
  timeout_source_remove (td);
  if (dbus_timeout_get_enabled (timeout))
    timeout_source_add (timeout, td);
}

/* ---- dispatch --------------------------------------------------------- */

/* Dispatch a bounded number of messages per iteration so that other sources
 * (timers, signals, the commit idle) get their turn under load. */
#define DISPATCH_BATCH 64

static gboolean
dispatch_idle (gpointer user_data)
{
  Glue *glue = user_data;
  DBusConnection *conn = glue->conn;
  gboolean again = FALSE;

  dbus_connection_ref (conn);
  for (int i = 0; i < DISPATCH_BATCH; i++)
    {
      if (dbus_connection_dispatch (conn) != DBUS_DISPATCH_DATA_REMAINS)
        break;
      if (i == DISPATCH_BATCH - 1)
        again = TRUE;
    }
  if (!again)
    again = dbus_connection_get_dispatch_status (conn) == DBUS_DISPATCH_DATA_REMAINS;
  if (!again)
    glue->dispatch_id = 0;
  dbus_connection_unref (conn);
  return again ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
schedule_dispatch (Glue *glue)
{
  GSource *src;

  if (glue->dispatch_id != 0)
    return;
  src = g_idle_source_new ();
  g_source_set_priority (src, G_PRIORITY_DEFAULT);
  g_source_set_callback (src, dispatch_idle, glue, NULL);
  g_source_set_name (src, "[caselink] dbus dispatch");
  glue->dispatch_id = g_source_attach (src, glue->context);
  g_source_unref (src);
}

static void
dispatch_status_changed (DBusConnection *conn, DBusDispatchStatus status, void *data)
{
  if (status == DBUS_DISPATCH_DATA_REMAINS)
    schedule_dispatch (data);
}

/* libdbus asks for a wake-up whenever it queues a message; from the thread
 * running the loop that is a wasted eventfd write and an extra poll per
 * message, so only another thread wakes the loop. */
static void
wakeup_main (void *data)
{
  Glue *glue = data;

  if (!g_main_context_is_owner (glue->context))
    g_main_context_wakeup (glue->context);
}

void
cl_dbus_glue_attach (DBusConnection *conn, GMainContext *context)
{
  Glue *glue;

  g_return_if_fail (conn != NULL);

  if (glue_slot == -1 && !dbus_connection_allocate_data_slot (&glue_slot))
    g_error ("out of memory allocating a D-Bus data slot");

  glue = g_new0 (Glue, 1);
  glue->conn = conn;
  glue->context = context != NULL ? g_main_context_ref (context) : g_main_context_ref (g_main_context_default ());
  dbus_connection_set_data (conn, glue_slot, glue, glue_free);

  dbus_connection_set_watch_functions (conn, add_watch, remove_watch, toggle_watch, glue, NULL);
  dbus_connection_set_timeout_functions (conn, add_timeout, remove_timeout, toggle_timeout, glue, NULL);
  dbus_connection_set_wakeup_main_function (conn, wakeup_main, glue, NULL);
  dbus_connection_set_dispatch_status_function (conn, dispatch_status_changed, glue, NULL);

  /* The status callback fires only on changes: messages queued before we
   * attached (e.g. during a blocking RequestName) would otherwise sit there. */
  if (dbus_connection_get_dispatch_status (conn) == DBUS_DISPATCH_DATA_REMAINS)
    schedule_dispatch (glue);
}

void
cl_dbus_glue_detach (DBusConnection *conn)
{
  dbus_connection_set_dispatch_status_function (conn, NULL, NULL, NULL);
  dbus_connection_set_wakeup_main_function (conn, NULL, NULL, NULL);
  dbus_connection_set_watch_functions (conn, NULL, NULL, NULL, NULL, NULL);
  dbus_connection_set_timeout_functions (conn, NULL, NULL, NULL, NULL, NULL);
  if (glue_slot != -1)
    dbus_connection_set_data (conn, glue_slot, NULL, NULL);
}

DBusConnection *
cl_dbus_open (const char *address, DBusBusType type, GError **error)
{
  DBusError derr;
  DBusConnection *conn;

  dbus_error_init (&derr);
  if (address != NULL)
    {
      conn = dbus_connection_open_private (address, &derr);
      if (conn != NULL && !dbus_bus_register (conn, &derr))
        {
          dbus_connection_close (conn);
          dbus_connection_unref (conn);
          conn = NULL;
        }
    }
  else
    conn = dbus_bus_get_private (type, &derr);

  if (conn == NULL)
    {
      if (address != NULL)
        g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "cannot connect to the bus at %s: %s", address,
                     derr.message != NULL ? derr.message : "unknown error");
      else
        g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "cannot connect to the %s: %s",
                     type == DBUS_BUS_SYSTEM ? "system bus" : "session bus",
                     derr.message != NULL ? derr.message : "unknown error");
      dbus_error_free (&derr);
      return NULL;
    }
  dbus_connection_set_exit_on_disconnect (conn, FALSE);
  return conn;
}
