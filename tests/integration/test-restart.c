/* test-restart.c — what a reply promised survives a restart and a crash. */
#include <string.h>
#include <sys/wait.h>

#include "cl-errors.h"
#include "harness.h"

/* Everything a client can see about the cases: ListCases, and per case
 * every Case1 property and the full history (hashes included). */
static GVariant *
snapshot (DBusConnection *c)
{
  g_autoptr(GVariant) list = cl_test_list_cases (c, NULL);
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(a{sv}a{sv}aa{sv})"));
  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (list, i);
      g_autoptr(GVariant) path = cl_test_dict_get (entry, "path", "o");
      const char *p = g_variant_get_string (path, NULL);
      g_autoptr(GVariant) props = cl_test_call_ok (c, p, "org.freedesktop.DBus.Properties",
                                                   "GetAll",
                                                   g_variant_new ("(s)", CL_CASE_IFACE));
      g_autoptr(GVariant) all = g_variant_get_child_value (props, 0);
      g_autoptr(GVariant) history = cl_test_history (c, p);

      g_variant_builder_add (&b, "(@a{sv}@a{sv}@aa{sv})", entry, all, history);
    }
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

static void
assert_same (GVariant *a, GVariant *b)
{
  if (!g_variant_equal (a, b))
    {
      g_autofree char *sa = g_variant_print (a, TRUE);
      g_autofree char *sb = g_variant_print (b, TRUE);

      g_error ("state changed across restart:\nbefore: %s\nafter:  %s", sa, sb);
    }
}

static char *
create_rc (DBusConnection *c, const char *t, char **path)
{
  return cl_test_create_case (c, "reverse_connection",
                              cl_test_fields ("title", g_variant_new_string (t), NULL),
                              path);
}

static void
handoff (DBusConnection *c, const char *path, const char *no)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = cl_test_advance (c, path, "handoff",
                                            cl_test_fields ("np_decision_no",
                                                            g_variant_new_string (no),
                                                            NULL),
                                            "移送", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "registered");
}

static void
test_restart_keeps_everything (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *id1 = NULL, *id2 = NULL, *id3 = NULL, *want = NULL;
  g_autofree char *p1 = NULL, *p2 = NULL, *p3 = NULL;
  g_autoptr(GVariant) before = NULL, after = NULL, reply = NULL;

  id1 = create_rc (c, "first", &p1);
  want = cl_test_case_id ("FX", 1);
  g_assert_cmpstr (id1, ==, want);
  g_clear_pointer (&want, g_free);
  handoff (c, p1, "N-1");
  id2 = cl_test_create_case (c, "all_types",
                             cl_test_fields ("title", g_variant_new_string ("at"),
                                             "count", g_variant_new_string ("9"),
                                             NULL), &p2);
  reply = cl_test_call_ok (c, p2, CL_CASE_IFACE, "Comment",
                           g_variant_new ("(s)", "重启前的备注"));

  before = snapshot (c);
  cl_harness_stop_daemon (h);
  cl_harness_start_daemon (h);
  after = snapshot (c);
  assert_same (before, after);

  /* The id sequence continues where it stopped. */
  id3 = create_rc (c, "second", &p3);
  want = cl_test_case_id ("FX", 2);
  g_assert_cmpstr (id3, ==, want);
  g_clear_pointer (&want, g_free);

  /* And the restarted daemon still advances old cases. */
  g_clear_pointer (&reply, g_variant_unref);
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *state = cl_test_advance (c, p1, "review", NULL, "", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (state, ==, "reviewing");
  }

  cl_harness_free (h);
}

/* A reply goes out only after COMMIT: SIGKILL straight after the last
 * replied call must lose none of them. */
static void
test_sigkill_after_reply (void)
{
  enum { N = 10 };
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  char *paths[N];
  g_autoptr(GVariant) list = NULL, reply = NULL;
  g_autofree char *id = NULL, *path = NULL, *want = NULL;

  for (guint i = 0; i < N; i++)
    {
      g_autofree char *t = g_strdup_printf ("case %u", i);
      g_autofree char *no = g_strdup_printf ("N-%u", i);
      g_autofree char *cid = create_rc (c, t, &paths[i]);

      handoff (c, paths[i], no);
    }
  reply = cl_test_call_ok (c, paths[0], CL_CASE_IFACE, "Comment",
                           g_variant_new ("(s)", "last words"));
  cl_harness_kill_daemon (h);
  cl_harness_start_daemon (h);

  list = cl_test_list_cases (c, NULL);
  g_assert_cmpuint (g_variant_n_children (list), ==, N);
  for (guint i = 0; i < N; i++)
    {
      g_autofree char *state = cl_test_case_state (c, paths[i]);
      g_autoptr(GVariant) history = cl_test_history (c, paths[i]);

      g_assert_cmpstr (state, ==, "registered");
      g_assert_cmpuint (g_variant_n_children (history), ==, i == 0 ? 3 : 2);
      g_free (paths[i]);
    }

  /* No id is handed out twice after a crash. */
  id = create_rc (c, "after crash", &path);
  want = cl_test_case_id ("FX", N + 1);
  g_assert_cmpstr (id, ==, want);

  cl_harness_free (h);
}

/* The bus dies under a running caselinkd: it stops with exit status 1 (so
 * that a service manager restarts it), says why, and nothing of the
 * connection it lost is touched after libdbus freed it (a watch's data was
 * read after the watch went, which ASan reported). */
static void
test_bus_dies (void)
{
  ClHarness *h = cl_harness_new (NULL);
  g_autofree char *log = NULL;
  int status;

  g_free (cl_test_create_case (cl_harness_connection (h), "reverse_connection",
                               cl_test_fields ("title", g_variant_new_string ("before"), NULL), NULL));
  status = cl_harness_kill_bus (h);
  log = cl_harness_read_log (h);
  g_test_message ("%s", log);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (log, "the bus went away; stopping"));
  g_assert_null (strstr (log, "Sanitizer"));
  g_assert_null (strstr (log, "dbus_connection_unref"));
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/restart/keeps-everything", test_restart_keeps_everything);
  g_test_add_func ("/restart/sigkill-after-reply", test_sigkill_after_reply);
  g_test_add_func ("/restart/bus-dies", test_bus_dies);
  return g_test_run ();
}
