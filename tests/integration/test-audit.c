/* test-audit.c — tamper evidence: AuditHead and VerifyAudit over D-Bus; rows
 * edited or deleted with the sqlite3 tool (dropping the append-only
 * triggers first, as an attacker would) are detected and named; rows
 * deleted from the end are detected against a recorded head; the daemon
 * starts and serves on a tampered database and logs what it found. */
#include <stdlib.h>
#include <string.h>

#include "cl-errors.h"
#include "harness.h"

static gboolean
verify (ClHarness *h, const char *head, char **report)
{
  g_autoptr(GVariant) r = cl_test_call_ok (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE,
                                           "VerifyAudit", g_variant_new ("(s)", head));
  gboolean ok;

  g_variant_get (r, "(bs)", &ok, report);
  g_test_message ("VerifyAudit(%s): %d %s", head, ok, *report);
  return ok;
}

static char *
audit_head (ClHarness *h)
{
  g_autoptr(GVariant) v = cl_test_get_property (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE,
                                                "AuditHead", NULL);
  guint64 count;
  const char *hash;

  g_assert_cmpstr (g_variant_get_type_string (v), ==, "(ts)");
  g_variant_get (v, "(t&s)", &count, &hash);
  g_assert_cmpuint (strlen (hash), ==, 64);
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%s", count, hash);
}

static void
sql (ClHarness *h, const char *statement)
{
  g_autofree char *cmd = g_strdup_printf ("sqlite3 '%s' \"%s\"", cl_harness_db_path (h), statement);
  g_assert_cmpint (system (cmd), ==, 0);
}

static void
make_cases (ClHarness *h, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = NULL, *id = NULL, *state = NULL;
      g_autoptr(GError) error = NULL;

      id = cl_test_create_case (cl_harness_connection (h), "reverse_connection",
                                cl_test_fields ("title", g_variant_new_string ("audit"), NULL), &path);
      state = cl_test_advance (cl_harness_connection (h), path, "handoff",
                               cl_test_fields ("np_decision_no", g_variant_new_string ("N"), NULL), "x", &error);
      g_assert_no_error (error);
    }
}

static gboolean
have_sqlite3 (void)
{
  if (cl_test_have_program ("sqlite3"))
    return TRUE;
  g_test_skip ("the sqlite3 tool is not installed");
  return FALSE;
}

static void
test_clean_and_head (void)
{
  ClHarness *h = cl_harness_new (NULL);
  g_autofree char *head = NULL, *report = NULL, *report2 = NULL, *report3 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = NULL;

  make_cases (h, 3);
  head = audit_head (h);
  g_assert_true (g_str_has_prefix (head, "9:"));     /* created, deadline note, transition × 3 */
  g_assert_true (verify (h, "", &report));
  g_assert_nonnull (strstr (report, "9 history rows of 3 cases"));
  g_assert_true (verify (h, head, &report2));
  g_assert_nonnull (strstr (report2, "matches the recorded head"));
  make_cases (h, 1);
  g_assert_true (verify (h, head, &report3));        /* growth is fine */

  r = cl_test_call (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "VerifyAudit",
                    g_variant_new ("(s)", "12:nothex"), &error);
  cl_assert_dbus_error (error, "org.caselink.Error.InvalidArgs");
  cl_harness_free (h);
}

static void
test_edited_row (void)
{
  ClHarness *h;
  g_autofree char *report = NULL, *log = NULL, *id = NULL;

  if (!have_sqlite3 ())
    return;
  h = cl_harness_new (NULL);
  make_cases (h, 3);
  cl_harness_stop_daemon (h);
  /* The append-only triggers stop a plain UPDATE... */
  {
    g_autofree char *cmd = g_strdup_printf ("sqlite3 '%s' \"UPDATE history SET comment = 'forged' WHERE seq = 3\" 2>/dev/null",
                                            cl_harness_db_path (h));
    g_assert_cmpint (system (cmd), !=, 0);
  }
  /* ...so the attacker drops them first. */
  sql (h, "DROP TRIGGER history_append_only_update; DROP TRIGGER history_append_only_delete; "
          "UPDATE history SET comment = 'forged' WHERE seq = 3 AND case_seq = 2");
  cl_harness_start_daemon (h);
  id = cl_test_case_id ("FX", 2);
  g_assert_false (verify (h, "", &report));
  g_assert_nonnull (strstr (report, id));
  g_assert_nonnull (strstr (report, "history row 3 does not match"));
  /* It serves, and said so in its log. */
  make_cases (h, 1);
  for (int i = 0; i < 500; i++)
    {
      g_free (log);
      log = cl_harness_read_log (h);
      if (strstr (log, "tampered") != NULL)
        break;
      g_usleep (10000);
    }
  g_assert_nonnull (strstr (log, "the history has been tampered with"));
  cl_harness_free (h);
}

static void
test_deleted_rows (void)
{
  ClHarness *h;
  g_autofree char *head = NULL, *report = NULL, *report2 = NULL, *report3 = NULL, *id = NULL;

  if (!have_sqlite3 ())
    return;
  h = cl_harness_new (NULL);
  make_cases (h, 3);
  head = audit_head (h);
  cl_harness_stop_daemon (h);
  /* A plain DELETE is stopped by the append-only trigger... */
  {
    g_autofree char *cmd = g_strdup_printf ("sqlite3 '%s' \"DELETE FROM history WHERE seq = 1\" 2>/dev/null",
                                            cl_harness_db_path (h));
    g_assert_cmpint (system (cmd), !=, 0);
  }
  /* ...so the attacker drops it. The newest row of the whole history: only
   * a recorded head shows it. */
  sql (h, "DROP TRIGGER history_append_only_delete; "
          "DELETE FROM history WHERE gseq = (SELECT max(gseq) FROM history); "
          "UPDATE cases SET history_count = history_count - 1 WHERE seq = 3; "
          "UPDATE audit_head SET count = count - 1");
  cl_harness_start_daemon (h);
  g_assert_true (verify (h, "", &report));
  g_assert_false (verify (h, head, &report2));
  g_assert_nonnull (strstr (report2, "deleted from the end"));
  cl_harness_stop_daemon (h);

  /* A row in the middle breaks the chains, and the report names the case. */
  sql (h, "DELETE FROM history WHERE case_seq = 1 AND seq = 2");
  cl_harness_start_daemon (h);
  id = cl_test_case_id ("FX", 1);
  g_assert_false (verify (h, "", &report3));
  g_assert_nonnull (strstr (report3, id));
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/audit/clean-and-head", test_clean_and_head);
  g_test_add_func ("/audit/edited-row", test_edited_row);
  g_test_add_func ("/audit/deleted-rows", test_deleted_rows);
  return g_test_run ();
}
