/* test-signals.c — case signals go, unicast, to subscribers only;
 * Reloaded() is broadcast. */
#include <string.h>

#include "cl-dbus-variant.h"
#include "cl-errors.h"
#include "harness.h"

typedef struct {
  const char *me;        /* our unique name: every case signal is addressed to it */
  const char *id, *path; /* the case we expect to hear about */
  guint created, advanced, state_changed, reloaded, other;
} Seen;

static void
note_signal (DBusMessage *msg, Seen *seen)
{
  const char *iface = dbus_message_get_interface (msg);
  const char *member = dbus_message_get_member (msg);
  const char *dest = dbus_message_get_destination (msg);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) args = NULL;

  /* NameAcquired and friends come from the bus itself. */
  if (g_strcmp0 (dbus_message_get_sender (msg), DBUS_SERVICE_DBUS) == 0)
    return;
  args = cl_dbus_message_get_args (msg, &error);
  g_assert_no_error (error);
  {
    g_autofree char *printed = g_variant_print (args, TRUE);
    g_test_message ("%s got %s.%s%s", seen->me, iface, member, printed);
  }

  if (g_strcmp0 (member, "Reloaded") == 0)
    {
      g_assert_null (dest);
      seen->reloaded++;
      return;
    }
  /* Unicast: addressed to this connection, not broadcast. */
  g_assert_cmpstr (dest, ==, seen->me);

  if (g_strcmp0 (iface, CL_MANAGER_IFACE) == 0
      && g_strcmp0 (member, "CaseCreated") == 0)
    {
      const char *id, *path, *workflow;

      g_variant_get (args, "(&s&o&s)", &id, &path, &workflow);
      if (g_strcmp0 (id, seen->id) == 0)
        {
          g_assert_cmpstr (path, ==, seen->path);
          g_assert_cmpstr (workflow, ==, "reverse_connection");
          seen->created++;
          return;
        }
    }
  else if (g_strcmp0 (iface, CL_MANAGER_IFACE) == 0
           && g_strcmp0 (member, "CaseAdvanced") == 0)
    {
      const char *id, *path, *transition, *from, *to;

      g_variant_get (args, "(&s&o&s&s&s)", &id, &path, &transition, &from, &to);
      if (g_strcmp0 (id, seen->id) == 0)
        {
          g_assert_cmpstr (path, ==, seen->path);
          g_assert_cmpstr (transition, ==, "handoff");
          g_assert_cmpstr (from, ==, "non_prosecuted");
          g_assert_cmpstr (to, ==, "registered");
          seen->advanced++;
          return;
        }
    }
  else if (g_strcmp0 (iface, "org.freedesktop.DBus.Properties") == 0
           && g_strcmp0 (member, "PropertiesChanged") == 0
           && g_strcmp0 (dbus_message_get_path (msg), seen->path) == 0)
    {
      const char *changed_iface, *state;
      g_autoptr(GVariant) changed = NULL, invalidated = NULL;

      g_variant_get (args, "(&s@a{sv}@as)", &changed_iface, &changed, &invalidated);
      g_assert_cmpstr (changed_iface, ==, CL_CASE_IFACE);
      if (g_variant_lookup (changed, "State", "&s", &state)
          && strcmp (state, "registered") == 0)
        seen->state_changed++;
      return;
    }
  seen->other++;
}

/* Read what arrives within @ms, or until @seen has every expected signal. */
static void
drain (DBusConnection *conn, Seen *seen, guint ms, gboolean stop_when_complete)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  DBusMessage *msg;

  do
    {
      while ((msg = dbus_connection_pop_message (conn)) != NULL)
        {
          if (dbus_message_get_type (msg) == DBUS_MESSAGE_TYPE_SIGNAL)
            note_signal (msg, seen);
          dbus_message_unref (msg);
        }
      if (stop_when_complete && seen->created > 0 && seen->advanced > 0
          && seen->state_changed > 0)
        return;
    }
  while (g_get_monotonic_time () < deadline
         && dbus_connection_read_write (conn, 50));
}

/* A round trip to the daemon: anything it sent us before the reply has
 * arrived by the time the reply has. */
static void
sync_with_daemon (DBusConnection *conn)
{
  g_autoptr(GVariant) reply = cl_test_call_ok (conn, CL_MANAGER_PATH,
                                               "org.freedesktop.DBus.Peer",
                                               "Ping", NULL);
}

static void
subscribe (DBusConnection *conn, const char *method)
{
  g_autoptr(GVariant) reply = cl_test_call_ok (conn, CL_MANAGER_PATH,
                                               CL_MANAGER_IFACE, method, NULL);
}

static void
test_subscribers_only (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *actor = cl_harness_connection (h);
  DBusConnection *sub = cl_harness_connect (h);
  DBusConnection *other = cl_harness_connect (h);
  DBusError derr = DBUS_ERROR_INIT;
  g_autofree char *id = NULL, *path = NULL, *state = NULL;
  g_autofree char *id2 = NULL, *path2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  Seen s = { .me = dbus_bus_get_unique_name (sub) };
  Seen o = { .me = dbus_bus_get_unique_name (other) };
  Seen a = { .me = dbus_bus_get_unique_name (actor) };

  /* The non-subscriber listens to everything the daemon broadcasts. */
  dbus_bus_add_match (other, "type='signal',sender='" CL_DBUS_NAME "'", &derr);
  g_assert_false (dbus_error_is_set (&derr));
  /* Subscribe() is idempotent: twice still means one copy of each. */
  subscribe (sub, "Subscribe");
  subscribe (sub, "Subscribe");

  id = cl_test_create_case (actor, "reverse_connection",
                            cl_test_fields ("title", g_variant_new_string ("signals"),
                                            NULL), &path);
  state = cl_test_advance (actor, path, "handoff",
                           cl_test_fields ("np_decision_no",
                                           g_variant_new_string ("N-1"), NULL),
                           "", &error);
  g_assert_no_error (error);
  s.id = o.id = a.id = id;
  s.path = o.path = a.path = path;

  drain (sub, &s, 5000, TRUE);
  sync_with_daemon (sub);
  drain (sub, &s, 100, FALSE);
  g_assert_cmpuint (s.created, ==, 1);
  g_assert_cmpuint (s.advanced, ==, 1);
  g_assert_cmpuint (s.state_changed, ==, 1);

  sync_with_daemon (other);
  drain (other, &o, 200, FALSE);
  g_assert_cmpuint (o.created + o.advanced + o.state_changed + o.other, ==, 0);
  sync_with_daemon (actor);
  drain (actor, &a, 100, FALSE);
  g_assert_cmpuint (a.created + a.advanced + a.state_changed + a.other, ==, 0);

  /* After Unsubscribe, silence. */
  subscribe (sub, "Unsubscribe");
  s.created = s.advanced = s.state_changed = s.reloaded = s.other = 0;
  id2 = cl_test_create_case (actor, "reverse_connection",
                             cl_test_fields ("title", g_variant_new_string ("quiet"),
                                             NULL), &path2);
  s.id = id2;
  s.path = path2;
  sync_with_daemon (sub);
  drain (sub, &s, 200, FALSE);
  g_assert_cmpuint (s.created + s.advanced + s.state_changed + s.other, ==, 0);

  cl_test_disconnect (sub);
  cl_test_disconnect (other);
  cl_harness_free (h);
}

/* Reloaded() goes to everyone who matches it, subscribed or not. */
static void
test_reloaded_broadcast (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *actor = cl_harness_connection (h);
  DBusConnection *other = cl_harness_connect (h);
  DBusError derr = DBUS_ERROR_INIT;
  g_autoptr(GVariant) reply = NULL;
  Seen o = { .me = dbus_bus_get_unique_name (other) };

  dbus_bus_add_match (other, "type='signal',sender='" CL_DBUS_NAME "'", &derr);
  g_assert_false (dbus_error_is_set (&derr));
  /* Reload needs an admin: root, or the test user who holds "admin". */
  reply = cl_test_call_ok (actor, CL_MANAGER_PATH, CL_MANAGER_IFACE, "Reload", NULL);
  sync_with_daemon (other);
  drain (other, &o, 200, FALSE);
  g_assert_cmpuint (o.reloaded, ==, 1);

  cl_test_disconnect (other);
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/signals/subscribers-only", test_subscribers_only);
  g_test_add_func ("/signals/reloaded-broadcast", test_reloaded_broadcast);
  return g_test_run ();
}
