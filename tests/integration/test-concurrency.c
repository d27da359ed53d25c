/* test-concurrency.c — many clients at once, and clients that vanish
 * mid-call: every reply is matched by a row, and the daemon keeps serving. */
#include <string.h>

#include "cl-dbus-variant.h"
#include "cl-errors.h"
#include "harness.h"

#define N_CLIENTS 16
#define CASES_PER_CLIENT 8

typedef struct {
  ClHarness *h;
  const char *shared_path; /* every client tries the same handoff on it */
  guint index;
  gboolean won_shared;
  char *ids[CASES_PER_CLIENT];
  char *states[CASES_PER_CLIENT];
} Client;

/* All clients connect first, then start together, so their calls overlap. */
static GMutex start_lock;
static GCond start_cond;
static guint n_ready;
static gboolean go;

static void
wait_for_start (void)
{
  g_mutex_lock (&start_lock);
  n_ready++;
  g_cond_broadcast (&start_cond);
  while (!go)
    g_cond_wait (&start_cond, &start_lock);
  g_mutex_unlock (&start_lock);
}

static gpointer
client_run (gpointer data)
{
  Client *cl = data;
  DBusConnection *conn = cl_harness_connect (cl->h);
  g_autofree char *no = g_strdup_printf ("N-shared-%u", cl->index);
  g_autoptr(GError) error = NULL;
  char *state;

  wait_for_start ();

  state = cl_test_advance (conn, cl->shared_path, "handoff",
                           cl_test_fields ("np_decision_no",
                                           g_variant_new_string (no), NULL),
                           "", &error);
  if (state != NULL)
    {
      g_assert_cmpstr (state, ==, "registered");
      cl->won_shared = TRUE;
      g_free (state);
    }
  else
    cl_assert_dbus_error (error, "org.caselink.Error.InvalidTransition");

  for (guint i = 0; i < CASES_PER_CLIENT; i++)
    {
      g_autofree char *t = g_strdup_printf ("client %u case %u", cl->index, i);
      g_autofree char *path = NULL;

      cl->ids[i] = cl_test_create_case (conn, "reverse_connection",
                                        cl_test_fields ("title",
                                                        g_variant_new_string (t),
                                                        NULL), &path);
      if (i % 2 == 0)
        {
          cl->states[i] = cl_test_advance (conn, path, "handoff",
                                           cl_test_fields ("np_decision_no",
                                                           g_variant_new_string (t),
                                                           NULL),
                                           "", &error);
          g_assert_no_error (error);
          g_assert_cmpstr (cl->states[i], ==, "registered");
        }
      else
        cl->states[i] = g_strdup ("non_prosecuted");
    }
  cl_test_disconnect (conn);
  return NULL;
}

static void
test_sixteen_clients (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  Client clients[N_CLIENTS] = { 0 };
  GThread *threads[N_CLIENTS];
  g_autofree char *shared_path = NULL, *shared_id = NULL;
  g_autoptr(GVariant) list = NULL, history = NULL, e = NULL, f = NULL;
  g_autoptr(GHashTable) replied = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) count = NULL;
  g_autofree char *winner_no = NULL, *got_no = NULL;
  guint winners = 0, total = 1 + N_CLIENTS * CASES_PER_CLIENT;

  shared_id = cl_test_create_case (c, "reverse_connection",
                                   cl_test_fields ("title",
                                                   g_variant_new_string ("shared"),
                                                   NULL), &shared_path);
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      clients[i].h = h;
      clients[i].shared_path = shared_path;
      clients[i].index = i;
      threads[i] = g_thread_new ("client", client_run, &clients[i]);
    }
  g_mutex_lock (&start_lock);
  while (n_ready < N_CLIENTS)
    g_cond_wait (&start_cond, &start_lock);
  go = TRUE;
  g_cond_broadcast (&start_cond);
  g_mutex_unlock (&start_lock);
  for (guint i = 0; i < N_CLIENTS; i++)
    g_thread_join (threads[i]);

  /* Exactly one client won the race for the shared case, and the history
   * records its values, once. */
  for (guint i = 0; i < N_CLIENTS; i++)
    if (clients[i].won_shared)
      {
        winners++;
        winner_no = g_strdup_printf ("N-shared-%u", i);
      }
  g_assert_cmpuint (winners, ==, 1);
  history = cl_test_history (c, shared_path);
  g_assert_cmpuint (g_variant_n_children (history), ==, 2);
  e = g_variant_get_child_value (history, 1);
  f = cl_test_dict_get (e, "fields", "a{sv}");
  got_no = cl_test_dict_string (f, "np_decision_no");
  g_assert_cmpstr (got_no, ==, winner_no);

  /* Every replied id is a row in the replied state; nothing else exists. */
  g_hash_table_insert (replied, shared_id, (gpointer) "registered");
  for (guint i = 0; i < N_CLIENTS; i++)
    for (guint j = 0; j < CASES_PER_CLIENT; j++)
      {
        g_assert_false (g_hash_table_contains (replied, clients[i].ids[j]));
        g_hash_table_insert (replied, clients[i].ids[j], clients[i].states[j]);
      }
  list = cl_test_list_cases (c, cl_test_fields ("limit", g_variant_new_uint32 (1000),
                                                NULL));
  g_assert_cmpuint (g_variant_n_children (list), ==, total);
  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (list, i);
      g_autofree char *id = cl_test_dict_string (entry, "id");
      g_autofree char *state = cl_test_dict_string (entry, "state");
      g_autofree char *want_id = cl_test_case_id ("FX", (guint) i + 1);

      g_assert_cmpstr (g_hash_table_lookup (replied, id), ==, state);
      /* Ids are handed out without gaps or duplicates, oldest first. */
      g_assert_cmpstr (id, ==, want_id);
    }
  count = cl_test_get_property (c, CL_MANAGER_PATH, CL_MANAGER_IFACE,
                                "CaseCount", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_get_uint64 (count), ==, total);

  for (guint i = 0; i < N_CLIENTS; i++)
    for (guint j = 0; j < CASES_PER_CLIENT; j++)
      {
        g_free (clients[i].ids[j]);
        g_free (clients[i].states[j]);
      }
  cl_harness_free (h);
}

#define N_PIPELINED 40

/* One connection sends many changes without waiting: they run as several
 * transactions (half the queue each), yet every reply comes back, in the
 * order sent, the history keeps that order, both audit chains verify, and
 * all of it is there after a restart. */
static void
test_pipelined_calls (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  DBusConnection *conn = cl_harness_connect (h);
  dbus_uint32_t serials[N_PIPELINED];
  g_autofree char *path = NULL, *id = NULL, *report = NULL;
  g_autoptr(GVariant) history = NULL, verified = NULL;
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint got = 0;
  gboolean ok = FALSE;

  id = cl_test_create_case (c, "reverse_connection",
                            cl_test_fields ("title", g_variant_new_string ("pipelined"), NULL), &path);
  for (guint i = 0; i < N_PIPELINED; i++)
    {
      g_autofree char *text = g_strdup_printf ("comment %02u", i);
      DBusMessage *msg = dbus_message_new_method_call (CL_DBUS_NAME, path, CL_CASE_IFACE, "Comment");
      const char *t = text;

      g_assert_true (dbus_message_append_args (msg, DBUS_TYPE_STRING, &t, DBUS_TYPE_INVALID));
      g_assert_true (dbus_connection_send (conn, msg, &serials[i]));
      dbus_message_unref (msg);
    }
  dbus_connection_flush (conn);
  while (got < N_PIPELINED && g_get_monotonic_time () < end)
    {
      DBusMessage *reply;

      dbus_connection_read_write (conn, 100);
      while (got < N_PIPELINED && (reply = dbus_connection_pop_message (conn)) != NULL)
        {
          if (dbus_message_get_type (reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN
              || dbus_message_get_type (reply) == DBUS_MESSAGE_TYPE_ERROR)
            {
              g_assert_cmpint (dbus_message_get_type (reply), ==, DBUS_MESSAGE_TYPE_METHOD_RETURN);
              g_assert_cmpuint (dbus_message_get_reply_serial (reply), ==, serials[got]);
              got++;
            }
          dbus_message_unref (reply);
        }
    }
  g_assert_cmpuint (got, ==, N_PIPELINED);
  cl_test_disconnect (conn);

  for (guint round = 0; round < 2; round++)
    {
      g_clear_pointer (&history, g_variant_unref);
      history = cl_test_history (c, path);
      g_assert_cmpuint (g_variant_n_children (history), ==, 1 + N_PIPELINED);
      for (guint i = 0; i < N_PIPELINED; i++)
        {
          g_autoptr(GVariant) e = g_variant_get_child_value (history, 1 + i);
          g_autofree char *comment = cl_test_dict_string (e, "comment");
          g_autofree char *want = g_strdup_printf ("comment %02u", i);

          g_assert_cmpstr (comment, ==, want);
        }
      g_clear_pointer (&verified, g_variant_unref);
      g_clear_pointer (&report, g_free);
      verified = cl_test_call_ok (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "VerifyAudit", g_variant_new ("(s)", ""));
      g_variant_get (verified, "(bs)", &ok, &report);
      g_assert_true (ok);
      if (round == 0)
        {
          cl_harness_stop_daemon (h);
          cl_harness_start_daemon (h);
          c = cl_harness_connection (h);
        }
    }
  cl_harness_free (h);
}

/* Send without waiting and hang up before the reply comes back. */
static void
send_and_vanish (ClHarness *h, const char *path, const char *iface,
                 const char *method, GVariant *args)
{
  DBusConnection *conn = cl_harness_connect (h);
  DBusMessage *msg = dbus_message_new_method_call (CL_DBUS_NAME, path, iface,
                                                   method);

  if (args != NULL)
    {
      g_assert_true (cl_dbus_message_append_args (msg, g_variant_ref_sink (args)));
      g_variant_unref (args);
    }
  g_assert_true (dbus_connection_send (conn, msg, NULL));
  dbus_message_unref (msg);
  dbus_connection_flush (conn);
  cl_test_disconnect (conn);
}

static void
test_disconnect_mid_call (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path = NULL, *id = NULL, *state = NULL;
  g_autoptr(GVariant) list = NULL, count = NULL;
  g_autoptr(GError) error = NULL;

  id = cl_test_create_case (c, "reverse_connection",
                            cl_test_fields ("title", g_variant_new_string ("stays"),
                                            NULL), &path);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *t = g_strdup_printf ("gone %u", i);

      send_and_vanish (h, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                       g_variant_new ("(s@a{sv})", "reverse_connection",
                                      cl_test_fields ("title",
                                                      g_variant_new_string (t),
                                                      NULL)));
      send_and_vanish (h, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListCases",
                       g_variant_new ("(@a{sv})", cl_test_fields (NULL, NULL)));
      send_and_vanish (h, path, CL_CASE_IFACE, "History", NULL);
      send_and_vanish (h, path, "org.freedesktop.DBus.Properties", "GetAll",
                       g_variant_new ("(s)", CL_CASE_IFACE));
    }
  /* Subscribers that vanish must be forgotten, not written to forever. */
  for (guint i = 0; i < 5; i++)
    send_and_vanish (h, CL_MANAGER_PATH, CL_MANAGER_IFACE, "Subscribe", NULL);

  /* Still serving, still consistent. */
  state = cl_test_advance (c, path, "handoff",
                           cl_test_fields ("np_decision_no",
                                           g_variant_new_string ("N-1"), NULL),
                           "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "registered");
  g_assert_cmpint (cl_test_wait_pid (cl_harness_daemon_pid (h), 0), ==, -1);

  list = cl_test_list_cases (c, NULL);
  count = cl_test_get_property (c, CL_MANAGER_PATH, CL_MANAGER_IFACE,
                                "CaseCount", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_get_uint64 (count), ==, g_variant_n_children (list));
  /* A create whose caller left either happened completely or not at all. */
  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (list, i);
      g_autoptr(GVariant) p = cl_test_dict_get (entry, "path", "o");
      g_autofree char *t = cl_test_dict_string (entry, "title");

      if (g_str_has_prefix (t, "gone "))
        {
          g_autoptr(GVariant) history = cl_test_history (c, g_variant_get_string (p, NULL));

          g_assert_cmpuint (g_variant_n_children (history), ==, 1);
        }
    }

  /* cl_harness_free() asserts a clean exit 0 on SIGTERM. */
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/concurrency/sixteen-clients", test_sixteen_clients);
  g_test_add_func ("/concurrency/disconnect-mid-call", test_disconnect_mid_call);
  g_test_add_func ("/concurrency/pipelined-calls", test_pipelined_calls);
  return g_test_run ();
}
