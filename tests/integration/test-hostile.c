/* test-hostile.c — whatever a client sends, the daemon answers precisely,
 * keeps running and loses nothing: quotes and SQL in values, 1 MiB strings,
 * invalid enum values, wrong variant types, deeply nested variants, too many
 * fields, bad names, a flood of calls from one connection; and SIGKILL in
 * the middle of a 16-client load loses no replied transition and leaves
 * PRAGMA integrity_check and the audit chains clean. */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cl-dbus-variant.h"
#include "cl-errors.h"
#include "harness.h"

static char *
new_case (ClHarness *h, char **path)
{
  return cl_test_create_case (cl_harness_connection (h), "all_types",
                              cl_test_fields ("title", g_variant_new_string ("hostile"), NULL), path);
}

static void
assert_update_refused (ClHarness *h, const char *path, GVariant *fields, const char *dbus_error, const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = cl_test_call (cl_harness_connection (h), path, CL_CASE_IFACE, "Update",
                                        g_variant_new ("(@a{sv}s)", fields, ""), &error);
  g_assert_null (r);
  g_assert_nonnull (error);
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_error ("expected '%s' in: %s", needle, error->message);
  cl_assert_dbus_error (error, dbus_error);
}

static void
test_values (void)
{
  ClHarness *h = cl_harness_new (NULL);
  g_autofree char *id = NULL, *path = NULL;
  g_autofree char *big = g_malloc (1024 * 1024 + 1);
  GVariant *nested;
  GVariantBuilder many;
  g_autoptr(GVariant) fields = NULL;
  g_autoptr(GError) error = NULL;
  const char *sql = "x'); DROP TABLE cases; --";

  id = new_case (h, &path);

  /* Quotes and SQL are data, stored and read back as sent. */
  {
    g_autoptr(GVariant) r = cl_test_call_ok (cl_harness_connection (h), path, CL_CASE_IFACE, "Update",
                                             g_variant_new ("(@a{sv}s)", cl_test_fields ("notes", g_variant_new_string (sql), NULL),
                                                            "\"; DELETE FROM history; --"));
    g_autoptr(GVariant) back = cl_test_get_property (cl_harness_connection (h), path, CL_CASE_IFACE, "Fields", NULL);
    const char *notes = NULL;
    g_assert_true (g_variant_lookup (back, "notes", "&s", &notes));
    g_assert_cmpstr (notes, ==, sql);
  }

  /* 1 MiB in a text field: refused naming the field and the limit. */
  memset (big, 'a', 1024 * 1024);
  big[1024 * 1024] = '\0';
  assert_update_refused (h, path, cl_test_fields ("notes", g_variant_new_string (big), NULL),
                         "org.caselink.Error.InvalidArgs", "field 'notes'");
  /* ...and as a comment. */
  {
    g_autoptr(GVariant) r = cl_test_call (cl_harness_connection (h), path, CL_CASE_IFACE, "Comment",
                                          g_variant_new ("(s)", big), &error);
    g_assert_nonnull (strstr (error->message, "too long"));
    cl_assert_dbus_error (error, "org.caselink.Error.InvalidArgs");
  }
  assert_update_refused (h, path, cl_test_fields ("level", g_variant_new_string ("urgent'--"), NULL),
                         "org.caselink.Error.InvalidArgs", "not one of");
  assert_update_refused (h, path, cl_test_fields ("count", g_variant_new_boolean (TRUE), NULL),
                         "org.caselink.Error.InvalidArgs", "field 'count'");
  assert_update_refused (h, path, cl_test_fields ("tags", g_variant_new_int32 (3), NULL),
                         "org.caselink.Error.InvalidArgs", "field 'tags'");
  assert_update_refused (h, path, cl_test_fields ("nosuch; DROP", g_variant_new_string ("x"), NULL),
                         "org.caselink.Error.InvalidArgs", "unknown field");
  /* Variants nested 60 deep (D-Bus allows up to 64). */
  nested = g_variant_new_string ("deep");
  for (int i = 0; i < 60; i++)
    nested = g_variant_new_variant (nested);
  assert_update_refused (h, path, cl_test_fields ("notes", nested, NULL), "org.caselink.Error.InvalidArgs", "nested");
  /* More fields in one call than any workflow has. */
  g_variant_builder_init (&many, G_VARIANT_TYPE_VARDICT);
  for (int i = 0; i < 1000; i++)
    {
      g_autofree char *k = g_strdup_printf ("f%d", i);
      g_variant_builder_add (&many, "{sv}", k, g_variant_new_string ("x"));
    }
  assert_update_refused (h, path, g_variant_builder_end (&many), "org.caselink.Error.InvalidArgs", "too many fields");

  /* Names: unknown workflows and transitions, odd ids, odd filters. */
  {
    g_autoptr(GVariant) r1 = cl_test_call (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                                           g_variant_new ("(s@a{sv})", "../../etc/passwd", cl_test_fields (NULL, NULL)), &error);
    cl_assert_dbus_error (error, "org.caselink.Error.NotFound");
  }
  {
    g_autoptr(GVariant) r2 = cl_test_call (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase",
                                           g_variant_new ("(s)", big), &error);
    cl_assert_dbus_error (error, "org.caselink.Error.NotFound");
  }
  {
    g_autoptr(GVariant) r3 = cl_test_call (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListCases",
                                           g_variant_new ("(@a{sv})", cl_test_fields ("text", g_variant_new_string (big), NULL)),
                                           &error);
    cl_assert_dbus_error (error, "org.caselink.Error.InvalidArgs");
  }
  {
    g_autofree char *state = cl_test_advance (cl_harness_connection (h), path, "finish'; --",
                                              cl_test_fields (NULL, NULL), "", &error);
    cl_assert_dbus_error (error, "org.caselink.Error.InvalidTransition");
  }
  /* Still serving, nothing lost. */
  {
    g_autoptr(GVariant) hist = cl_test_history (cl_harness_connection (h), path);
    g_assert_cmpuint (g_variant_n_children (hist), ==, 2);    /* created, the one update */
  }
  cl_harness_free (h);
}

/* Fire many calls on one connection without reading replies. */
static void
test_flood (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connect (h);
  guint limited = 0, answered = 0;

  for (int i = 0; i < 600; i++)
    {
      DBusMessage *m = dbus_message_new_method_call (CL_DBUS_NAME, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListWorkflows");
      dbus_connection_send (c, m, NULL);
      dbus_message_unref (m);
    }
  dbus_connection_flush (c);
  while (answered < 600)
    {
      DBusMessage *reply;
      if (!dbus_connection_read_write (c, 10000))
        break;
      while ((reply = dbus_connection_pop_message (c)) != NULL)
        {
          if (dbus_message_get_type (reply) == DBUS_MESSAGE_TYPE_ERROR)
            {
              g_assert_cmpstr (dbus_message_get_error_name (reply), ==, DBUS_ERROR_LIMITS_EXCEEDED);
              limited++;
            }
          if (dbus_message_get_type (reply) != DBUS_MESSAGE_TYPE_SIGNAL)
            answered++;
          dbus_message_unref (reply);
        }
    }
  g_assert_cmpuint (answered, ==, 600);
  g_test_message ("%u of 600 refused with LimitsExceeded", limited);
  cl_test_disconnect (c);
  /* The daemon serves the next caller as usual. */
  {
    g_autoptr(GVariant) r = cl_test_call_ok (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE,
                                             "ListWorkflows", NULL);
  }
  cl_harness_free (h);
}

/* Error messages quote what the caller sent, cut to 64 bytes: a name of
 * 30 Chinese characters (90 bytes) is cut inside a character. libdbus
 * aborts on a message that is not UTF-8, so this once killed caselinkd. */
static void
test_multibyte_quotes (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autoptr(GString) name = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = NULL;

  for (int i = 0; i < 30; i++)
    g_string_append (name, "案");
  r = cl_test_call (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase", g_variant_new ("(s)", name->str), &error);
  cl_test_assert_error (&error, "org.caselink.Error.NotFound", "no case '案案");
  r = cl_test_call (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                    g_variant_new ("(s@a{sv})", "reverse_connection",
                                   cl_test_fields (name->str, g_variant_new_string ("x"), NULL)), &error);
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs", "unknown field '案案");
  r = cl_test_call (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CountCases",
                    g_variant_new ("(@a{sv}s)", cl_test_fields (NULL, NULL), name->str), &error);
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs", "cannot group by '案案");
  /* still serving */
  g_clear_pointer (&r, g_variant_unref);
  r = cl_test_call_ok (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListWorkflows", NULL);
  cl_harness_free (h);
}

/* A method call to the bus itself; the reply (aborting on an error). */
static DBusMessage *
bus_call (DBusConnection *c, const char *iface, const char *method, int first_type, ...)
{
  DBusMessage *m = dbus_message_new_method_call ("org.freedesktop.DBus", "/org/freedesktop/DBus", iface, method);
  DBusMessage *reply;
  DBusError derr;
  va_list ap;

  va_start (ap, first_type);
  dbus_message_append_args_valist (m, first_type, ap);
  va_end (ap);
  dbus_error_init (&derr);
  reply = dbus_connection_send_with_reply_and_block (c, m, 10000, &derr);
  dbus_message_unref (m);
  if (reply == NULL)
    g_error ("%s.%s: %s", iface, method, derr.message);
  return reply;
}

/* Calls flagged NO_REPLY_EXPECTED get no answer — Introspect and GetAll of
 * a standard interface included (a flood of those once queued hundreds of
 * MB of XML): a monitor on the bus sees no reply from caselinkd before
 * the one to the ordinary call made after them. */
static void
test_no_reply (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connect (h);
  DBusConnection *mon = cl_harness_connect (h);
  const char *name = CL_DBUS_NAME, *daemon_name = NULL;
  DBusMessage *owner = bus_call (c, "org.freedesktop.DBus", "GetNameOwner", DBUS_TYPE_STRING, &name,
                                 DBUS_TYPE_INVALID);
  g_autofree char *rule = NULL;
  DBusMessage *m;
  dbus_uint32_t last = 0;
  guint replies = 0;
  gboolean done = FALSE;
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_assert_true (dbus_message_get_args (owner, NULL, DBUS_TYPE_STRING, &daemon_name, DBUS_TYPE_INVALID));
  rule = g_strdup_printf ("sender='%s'", daemon_name);
  dbus_message_unref (owner);
  {
    const char *rules[] = { rule };
    const char **rules_p = rules;
    dbus_uint32_t flags = 0;

    dbus_message_unref (bus_call (mon, "org.freedesktop.DBus.Monitoring", "BecomeMonitor", DBUS_TYPE_ARRAY,
                                  DBUS_TYPE_STRING, &rules_p, 1, DBUS_TYPE_UINT32, &flags, DBUS_TYPE_INVALID));
  }
  for (int i = 0; i < 50; i++)
    {
      m = dbus_message_new_method_call (CL_DBUS_NAME, "/org/caselink/case/FX_2d2026_2d000001",
                                        "org.freedesktop.DBus.Introspectable", "Introspect");
      dbus_message_set_no_reply (m, TRUE);
      dbus_connection_send (c, m, NULL);
      dbus_message_unref (m);
      m = dbus_message_new_method_call (CL_DBUS_NAME, CL_MANAGER_PATH, "org.freedesktop.DBus.Properties", "GetAll");
      dbus_message_append_args (m, DBUS_TYPE_STRING, &(const char *) { "org.freedesktop.DBus.Peer" },
                                DBUS_TYPE_INVALID);
      dbus_message_set_no_reply (m, TRUE);
      dbus_connection_send (c, m, NULL);
      dbus_message_unref (m);
    }
  m = dbus_message_new_method_call (CL_DBUS_NAME, CL_MANAGER_PATH, "org.freedesktop.DBus.Introspectable",
                                    "Introspect");
  dbus_connection_send (c, m, &last);
  dbus_message_unref (m);
  dbus_connection_flush (c);
  while (!done && g_get_monotonic_time () < end)
    {
      DBusMessage *seen;

      dbus_connection_read_write (mon, 100);
      while ((seen = dbus_connection_pop_message (mon)) != NULL)
        {
          if (dbus_message_get_type (seen) == DBUS_MESSAGE_TYPE_METHOD_RETURN
              || dbus_message_get_type (seen) == DBUS_MESSAGE_TYPE_ERROR)
            {
              if (dbus_message_get_reply_serial (seen) == last)
                done = TRUE;
              else if (!done)
                replies++;
            }
          dbus_message_unref (seen);
        }
    }
  g_assert_true (done);
  g_assert_cmpuint (replies, ==, 0);
  cl_test_disconnect (mon);
  cl_test_disconnect (c);
  cl_harness_free (h);
}

/* ---- SIGKILL under load ---------------------------------------------- */

#define N_CLIENTS 16

typedef struct {
  ClHarness *h;
  GHashTable *replied;     /* id -> state last replied */
  GMutex *lock;
  volatile gint *stop;
} Loader;

static gpointer
load_run (gpointer data)
{
  Loader *l = data;
  DBusConnection *c = cl_harness_connect (l->h);

  while (!g_atomic_int_get (l->stop))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) r = cl_test_call (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                                            g_variant_new ("(s@a{sv})", "reverse_connection",
                                                           cl_test_fields ("title", g_variant_new_string ("load"), NULL)),
                                            &error);
      const char *id, *path;
      g_autofree char *state = NULL;

      if (r == NULL)
        break;
      g_variant_get (r, "(&s&o)", &id, &path);
      g_mutex_lock (l->lock);
      g_hash_table_insert (l->replied, g_strdup (id), g_strdup ("non_prosecuted"));
      g_mutex_unlock (l->lock);
      state = cl_test_advance (c, path, "handoff", cl_test_fields ("np_decision_no", g_variant_new_string ("N"), NULL),
                               "", &error);
      if (state == NULL)
        break;
      g_mutex_lock (l->lock);
      g_hash_table_insert (l->replied, g_strdup (id), g_strdup (state));
      g_mutex_unlock (l->lock);
    }
  cl_test_disconnect (c);
  return NULL;
}

static void
test_sigkill_under_load (void)
{
  ClHarness *h = cl_harness_new (NULL);
  g_autoptr(GHashTable) replied = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GMutex lock;
  gint stop = 0;
  Loader l = { h, replied, &lock, &stop };
  GThread *threads[N_CLIENTS];
  GHashTableIter it;
  gpointer k, v;
  g_autofree char *cmd = NULL, *out = NULL, *report = NULL;
  gboolean ok;

  g_mutex_init (&lock);
  for (int i = 0; i < N_CLIENTS; i++)
    threads[i] = g_thread_new ("load", load_run, &l);
  /* Let the load build up, then kill without warning. */
  for (int i = 0; i < 200 && g_hash_table_size (replied) < 200; i++)
    g_usleep (10000);
  cl_harness_kill_daemon (h);
  g_atomic_int_set (&stop, 1);
  for (int i = 0; i < N_CLIENTS; i++)
    g_thread_join (threads[i]);
  g_test_message ("%u cases replied before SIGKILL", g_hash_table_size (replied));
  g_assert_cmpuint (g_hash_table_size (replied), >, 0);

  cmd = g_strdup_printf ("sqlite3 '%s' 'PRAGMA integrity_check'", cl_harness_db_path (h));
  if (cl_test_have_program ("sqlite3"))
    {
      g_assert_true (g_spawn_command_line_sync (cmd, &out, NULL, NULL, NULL));
      g_assert_cmpstr (out, ==, "ok\n");
    }
  cl_harness_start_daemon (h);
  /* Every replied state is there (a later, unreplied change may go further). */
  g_hash_table_iter_init (&it, replied);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      g_autoptr(GVariant) r = cl_test_call_ok (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase",
                                               g_variant_new ("(s)", (char *) k));
      const char *path;
      g_autofree char *state = NULL;

      g_variant_get (r, "(&o)", &path);
      state = cl_test_case_state (cl_harness_connection (h), path);
      if (g_str_equal (v, "registered"))
        g_assert_cmpstr (state, ==, "registered");
    }
  {
    g_autoptr(GVariant) r = cl_test_call_ok (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE,
                                             "VerifyAudit", g_variant_new ("(s)", ""));
    g_variant_get (r, "(bs)", &ok, &report);
    g_test_message ("%s", report);
    g_assert_true (ok);
  }
  g_mutex_clear (&lock);
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/hostile/values", test_values);
  g_test_add_func ("/hostile/flood", test_flood);
  g_test_add_func ("/hostile/no-reply", test_no_reply);
  g_test_add_func ("/hostile/multibyte-quotes", test_multibyte_quotes);
  g_test_add_func ("/hostile/sigkill-under-load", test_sigkill_under_load);
  return g_test_run ();
}
