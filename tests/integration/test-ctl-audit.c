/* test-ctl-audit.c — caselinkctl audit head and audit verify: the head as
 * COUNT:HASH (and JSON), verify over D-Bus and offline with --db (no bus),
 * with and without a recorded --head; a row edited with the sqlite3 tool
 * (append-only triggers dropped first) is named by case id and row, both
 * offline and by the restarted daemon; rows deleted from the end are found
 * against a recorded head; a malformed --head is a usage error and a
 * missing --db file a failure. */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>

#include "cl-errors.h"
#include "ctl-run.h"
#include "harness.h"

enum { EXIT_OK = 0, EXIT_FAILURE_ = 1, EXIT_USAGE = 2 };

/* audit verify --db runs offline: an address where nothing listens must
 * not matter. */
#define NO_BUS "unix:path=/nonexistent/caselink-test-no-bus"

#define ctl(r, h, ...) cl_ctl_at ((r), cl_harness_address (h), __VA_ARGS__, NULL)
#define offline(r, ...) cl_ctl_at ((r), NO_BUS, __VA_ARGS__, NULL)

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("not JSON (%s):\n%s", error->message, text);
  root = json_parser_get_root (parser);
  g_assert_cmpint (json_node_get_node_type (root), ==, JSON_NODE_OBJECT);
  return json_object_ref (json_node_get_object (root));
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

/* audit head, checked against the AuditHead property; "COUNT:HASH". */
static char *
audit_head (ClHarness *h)
{
  g_auto(ClCtlRun) r = { 0 };
  g_autoptr(GVariant) prop = NULL;
  g_autoptr(GRegex) re = g_regex_new ("^[1-9][0-9]*:[0-9a-f]{64}\n$", 0, 0, NULL);
  g_autofree char *expect = NULL;
  guint64 count;
  const char *hash;

  ctl (&r, h, "audit", "head");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_true (g_regex_match (re, r.out, 0, NULL));
  prop = cl_test_get_property (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE,
                               "AuditHead", NULL);
  g_variant_get (prop, "(t&s)", &count, &hash);
  expect = g_strdup_printf ("%" G_GUINT64_FORMAT ":%s\n", count, hash);
  g_assert_cmpstr (r.out, ==, expect);
  return g_strndup (r.out, strlen (r.out) - 1);
}

static gboolean
have_sqlite3 (void)
{
  g_autofree char *path = g_find_program_in_path ("sqlite3");

  if (path != NULL)
    return TRUE;
  g_test_skip ("the sqlite3 tool is not installed");
  return FALSE;
}

static void
sql (ClHarness *h, const char *statements)
{
  const char *argv[] = { "sqlite3", cl_harness_db_path (h), statements, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("sqlite3 %s failed: %s", statements, err);
}

/* A broken report in plain mode: "BROKEN: " on stdout, exit 1, naming
 * @needles. */
static void
assert_broken (const ClCtlRun *r, const char *const *needles)
{
  g_assert_cmpint (r->status, ==, EXIT_FAILURE_);
  g_assert_true (g_str_has_prefix (r->out, "BROKEN: "));
  g_assert_nonnull (strchr (r->out, '\n'));
  g_assert_cmpstr (strchr (r->out, '\n') + 1, ==, "");
  for (guint i = 0; needles[i] != NULL; i++)
    if (strstr (r->out, needles[i]) == NULL)
      g_error ("“%s” not in the report: %s", needles[i], r->out);
}

static void
test_head_and_verify (void)
{
  ClHarness *h = cl_harness_new (NULL);
  g_auto(ClCtlRun) r = { 0 };
  g_autofree char *head = NULL, *json_hash = NULL;
  g_autofree char *missing = NULL;
  JsonObject *o;

  make_cases (h, 3);
  head = audit_head (h);
  g_assert_true (g_str_has_prefix (head, "9:"));   /* created, deadline note, transition × 3 */

  ctl (&r, h, "--json", "audit", "head");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  o = parse_object (r.out);
  g_assert_cmpint (json_object_get_int_member (o, "count"), ==, 9);
  json_hash = g_strconcat ("9:", json_object_get_string_member (o, "hash"), NULL);
  g_assert_cmpstr (json_hash, ==, head);
  json_object_unref (o);

  /* Over D-Bus. */
  ctl (&r, h, "audit", "verify");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_true (g_str_has_prefix (r.out, "ok: 9 history rows of 3 cases, head "));
  g_assert_nonnull (strstr (r.out, head));
  g_assert_cmpstr (r.err, ==, "");

  ctl (&r, h, "audit", "verify", "--head", head);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_nonnull (strstr (r.out, "matches the recorded head"));

  ctl (&r, h, "--json", "audit", "verify", "--head", head);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  o = parse_object (r.out);
  g_assert_true (json_object_get_boolean_member (o, "ok"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "report"), "ok: "));
  json_object_unref (o);

  /* Growth after the recorded head is fine. */
  make_cases (h, 1);
  ctl (&r, h, "audit", "verify", "--head", head);
  g_assert_cmpint (r.status, ==, EXIT_OK);

  /* Offline, while the daemon runs: the same verdict, no bus needed. */
  offline (&r, "audit", "verify", "--db", cl_harness_db_path (h), "--head", head);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_true (g_str_has_prefix (r.out, "ok: 12 history rows of 4 cases, head 12:"));
  g_assert_nonnull (strstr (r.out, "matches the recorded head"));

  /* A malformed --head is a usage error, before any bus or file. */
  ctl (&r, h, "audit", "verify", "--head", "12:nothex");
  g_assert_cmpint (r.status, ==, EXIT_USAGE);
  g_assert_nonnull (strstr (r.err, "COUNT:HASH"));
  ctl (&r, h, "audit", "verify", "--head", "abc");
  g_assert_cmpint (r.status, ==, EXIT_USAGE);
  offline (&r, "audit", "verify", "--head", "0:0", "--db", cl_harness_db_path (h));
  g_assert_cmpint (r.status, ==, EXIT_USAGE);
  ctl (&r, h, "--json", "audit", "verify", "--head", "9:ABC");
  g_assert_cmpint (r.status, ==, EXIT_USAGE);
  o = parse_object (r.out);
  g_assert_cmpstr (json_object_get_string_member (o, "error"), ==, "org.caselink.ctl.Error.Usage");
  json_object_unref (o);
  /* audit head of an empty history is 0:, which checks nothing. */
  ctl (&r, h, "audit", "verify", "--head", "0:");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  /* Only audit verify takes --head and --db; audit head no arguments. */
  ctl (&r, h, "audit", "head", "--db", cl_harness_db_path (h));
  g_assert_cmpint (r.status, ==, EXIT_USAGE);
  ctl (&r, h, "status", "--head", head);
  g_assert_cmpint (r.status, ==, EXIT_USAGE);
  ctl (&r, h, "audit", "verify", "extra");
  g_assert_cmpint (r.status, ==, EXIT_USAGE);

  /* A --db that is not there, or not a caselink database: failure. */
  missing = g_build_filename (cl_harness_tmpdir (h), "no-such.db", NULL);
  offline (&r, "audit", "verify", "--db", missing);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_nonnull (strstr (r.err, "no-such.db"));
  g_assert_nonnull (strstr (r.err, "No such file or directory"));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));   /* not created */
  offline (&r, "--json", "audit", "verify", "--db", missing);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  o = parse_object (r.out);
  g_assert_cmpstr (json_object_get_string_member (o, "error"), ==, "org.caselink.ctl.Error.Failed");
  json_object_unref (o);
  offline (&r, "audit", "verify", "--db", cl_harness_config_path (h));
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  g_assert_nonnull (strstr (r.err, "not a caselink database"));

  /* Without --db the bus is needed. */
  offline (&r, "audit", "verify");
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  cl_harness_free (h);
}

/* A backup copy (no -wal beside it) in a directory nobody may write is
 * checked without creating anything there: the file is opened immutable. */
static void
test_backup_copy (void)
{
  ClHarness *h = cl_harness_new (NULL);
  g_auto(ClCtlRun) r = { 0 };
  g_autofree char *head = NULL, *dir = NULL, *copy = NULL, *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  gsize length = 0;

  make_cases (h, 2);
  head = audit_head (h);
  cl_harness_stop_daemon (h);
  g_assert_true (g_file_get_contents (cl_harness_db_path (h), &contents, &length, &error));
  g_assert_no_error (error);
  dir = g_build_filename (cl_harness_tmpdir (h), "backup", NULL);
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  copy = g_build_filename (dir, "caselink.db", NULL);
  g_assert_true (g_file_set_contents (copy, contents, (gssize) length, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (dir, 0555), ==, 0);

  offline (&r, "audit", "verify", "--db", copy, "--head", head);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_true (g_str_has_prefix (r.out, "ok: 6 history rows of 2 cases, head 6:"));
  g_assert_cmpstr (r.err, ==, "");
  /* nothing beside it (root could have written there) */
  listing = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_dir_read_name (listing), ==, "caselink.db");
  g_assert_null (g_dir_read_name (listing));

  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_unlink (copy);
  g_rmdir (dir);
  cl_harness_free (h);
}

static void
test_edited_row (void)
{
  ClHarness *h;
  g_auto(ClCtlRun) r = { 0 };
  g_autofree char *head = NULL, *id = NULL;
  JsonObject *o;

  if (!have_sqlite3 ())
    return;
  h = cl_harness_new (NULL);
  make_cases (h, 3);
  head = audit_head (h);
  id = cl_test_case_id ("FX", 1);
  cl_harness_stop_daemon (h);

  offline (&r, "audit", "verify", "--db", cl_harness_db_path (h), "--head", head);
  g_assert_cmpint (r.status, ==, EXIT_OK);

  sql (h, "DROP TRIGGER history_append_only_update; DROP TRIGGER history_append_only_delete; "
          "UPDATE history SET comment = 'x' WHERE case_seq = 1 AND seq = 2");

  /* Offline, no daemon and no bus. */
  offline (&r, "audit", "verify", "--db", cl_harness_db_path (h));
  assert_broken (&r, (const char *const[]) { id, "row 2", NULL });
  g_assert_cmpstr (r.err, ==, "");
  offline (&r, "audit", "verify", "--db", cl_harness_db_path (h), "--head", head);
  assert_broken (&r, (const char *const[]) { id, "row 2", NULL });
  offline (&r, "--json", "audit", "verify", "--db", cl_harness_db_path (h));
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  o = parse_object (r.out);
  g_assert_false (json_object_get_boolean_member (o, "ok"));
  g_assert_nonnull (strstr (json_object_get_string_member (o, "report"), id));
  g_assert_nonnull (strstr (json_object_get_string_member (o, "report"), "row 2"));
  json_object_unref (o);

  /* The restarted daemon says the same over D-Bus. */
  cl_harness_start_daemon (h);
  ctl (&r, h, "audit", "verify");
  assert_broken (&r, (const char *const[]) { id, "row 2", NULL });
  ctl (&r, h, "--json", "audit", "verify");
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  o = parse_object (r.out);
  g_assert_false (json_object_get_boolean_member (o, "ok"));
  g_assert_nonnull (strstr (json_object_get_string_member (o, "report"), id));
  json_object_unref (o);
  cl_harness_free (h);
}

static void
test_deleted_tail (void)
{
  ClHarness *h;
  g_auto(ClCtlRun) r = { 0 };
  g_autofree char *head = NULL;

  if (!have_sqlite3 ())
    return;
  h = cl_harness_new (NULL);
  make_cases (h, 3);
  head = audit_head (h);
  cl_harness_stop_daemon (h);
  /* The newest row of the whole history, bookkeeping fixed up: only a
   * recorded head shows it. */
  sql (h, "DROP TRIGGER history_append_only_delete; "
          "DELETE FROM history WHERE gseq = (SELECT max(gseq) FROM history); "
          "UPDATE cases SET history_count = history_count - 1 WHERE seq = 3; "
          "UPDATE audit_head SET count = count - 1");
  offline (&r, "audit", "verify", "--db", cl_harness_db_path (h));
  g_assert_cmpint (r.status, ==, EXIT_OK);
  offline (&r, "audit", "verify", "--db", cl_harness_db_path (h), "--head", head);
  assert_broken (&r, (const char *const[]) { "deleted from the end", NULL });

  cl_harness_start_daemon (h);
  ctl (&r, h, "audit", "verify", "--head", head);
  assert_broken (&r, (const char *const[]) { "deleted from the end", NULL });
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  if (!cl_ctl_available ())
    return 77;
  g_test_add_func ("/ctl-audit/head-and-verify", test_head_and_verify);
  g_test_add_func ("/ctl-audit/edited-row", test_edited_row);
  g_test_add_func ("/ctl-audit/backup-copy", test_backup_copy);
  g_test_add_func ("/ctl-audit/deleted-tail", test_deleted_tail);
  return g_test_run ();
}
