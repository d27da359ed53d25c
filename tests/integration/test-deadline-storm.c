/* test-deadline-storm.c — 100,000 deadlines falling due at once (seeded
 * straight into the database while the daemon is down) are all processed,
 * and a call made meanwhile is answered before the last batch commits. No
 * timing thresholds: the proof is that the answer saw work still to do.
 * The burst never lets the log grow until the main loop must copy it (its
 * batches wait for the worker's copies; only a copy slower than a second
 * would let them write on). */
#include <string.h>

#include "cl-errors.h"
#include "harness.h"
#include "store.h"

#define STORM 100000

static void
seed (const char *db_path, gint64 due)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CLStore) store = cl_store_open (db_path, CL_SYNC_OFF, &error);
  g_autoptr(GVariant) fields = NULL;
  GVariantBuilder b;

  g_assert_no_error (error);
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "title", g_variant_new_string ("storm"));
  fields = g_variant_ref_sink (g_variant_builder_end (&b));
  g_assert_true (cl_store_begin (store, &error));
  for (int i = 1; i <= STORM; i++)
    {
      CLCaseRecord rec = { 0 };
      CLDeadlineRow row = { 0 };

      rec.id = g_strdup_printf ("TD-2026-%06d", i);
      rec.workflow = (char *) "timed";
      rec.version = 1;
      rec.state = (char *) "working";
      rec.title = (char *) "storm";
      rec.created = rec.updated = due - G_TIME_SPAN_DAY;
      rec.deadline = due;
      rec.fields = fields;
      g_assert_true (cl_store_insert_case (store, &rec, &error));
      row.case_seq = rec.seq;
      row.state = (char *) "working";
      row.due = due;
      row.calendar = (char *) "cn";
      row.spec = (char *) "(int64 0, 3, 'working_days', true, 0, '', @a(sxxis) [])";
      g_assert_true (cl_store_put_deadline (store, &row, &error));
      g_free (rec.id);
      g_free (rec.history_head);
    }
  g_assert_true (cl_store_commit (store, &error));
}

static guint64
count_overdue (ClHarness *h)
{
  g_autoptr(GVariant) r = cl_test_call_ok (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "CountCases",
                                           g_variant_new ("(@a{sv}s)",
                                                          cl_test_fields ("overdue", g_variant_new_boolean (TRUE), NULL),
                                                          ""));
  g_autoptr(GVariant) counts = g_variant_get_child_value (r, 0);
  guint64 n = 0;

  g_variant_lookup (counts, "", "t", &n);
  return n;
}

static void
test_storm (void)
{
  ClHarness *h = cl_harness_new (NULL);
  guint64 meanwhile, n = 0;
  g_autoptr(GVariant) hist = NULL;
  g_autoptr(GVariant) r = NULL;
  g_autofree char *path = NULL;
  g_autofree char *log = NULL;

  cl_harness_stop_daemon (h);
  seed (cl_harness_db_path (h), g_get_real_time () - G_TIME_SPAN_HOUR);
  cl_harness_start_daemon (h);

  /* The bus answers while the batches run. */
  r = cl_test_call_ok (cl_harness_connection (h), CL_MANAGER_PATH, "org.freedesktop.DBus.Peer", "Ping", NULL);
  meanwhile = count_overdue (h);
  g_test_message ("overdue when first asked: %" G_GUINT64_FORMAT, meanwhile);
  g_assert_cmpuint (meanwhile, <, STORM);

  /* Every one is processed (bounded wait so a bug fails, never hangs). */
  for (int i = 0; i < 3000 && (n = count_overdue (h)) < STORM; i++)
    g_usleep (100000);
  g_assert_cmpuint (n, ==, STORM);

  /* The burst waited for the checkpoints instead of outrunning them: the
   * log never grew so long that the main loop had to copy it all at once
   * (durability.h, cl_durability_log_behind). */
  log = cl_harness_read_log (h);
  g_assert_nonnull (strstr (log, "serving org.caselink"));   /* the log was read */
  g_assert_null (strstr (log, "the log had grown"));

  r = cl_test_call_ok (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase",
                       g_variant_new ("(s)", "TD-2026-100000"));
  g_variant_get (r, "(o)", &path);
  hist = cl_test_history_all (cl_harness_connection (h), path);
  g_assert_cmpuint (g_variant_n_children (hist), ==, 1);
  {
    g_autoptr(GVariant) e = g_variant_get_child_value (hist, 0);
    g_autofree char *comment = cl_test_dict_string (e, "comment");
    g_assert_nonnull (strstr (comment, "missed"));
    g_assert_nonnull (strstr (comment, "late"));
  }
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/deadlines/storm", test_storm);
  return g_test_run ();
}
