/* test-ctl.c — caselinkctl against a real daemon: every verb, its --json
 * output parsed back, and the documented exit statuses. */
#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cl-errors.h"
#include "ctl-run.h"
#include "harness.h"

enum { EXIT_OK = 0, EXIT_FAILURE_ = 1, EXIT_USAGE = 2, EXIT_NOT_FOUND = 3,
       EXIT_REFUSED = 5 };

#define ctl(r, h, ...) cl_ctl_at ((r), cl_harness_address (h), __VA_ARGS__, NULL)

/* stdout must be nothing but one JSON document. */
static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("not JSON (%s):\n%s", error->message, text);
  return json_node_copy (json_parser_get_root (parser));
}

static JsonObject *
json_object_of (JsonNode *node)
{
  g_assert_cmpint (json_node_get_node_type (node), ==, JSON_NODE_OBJECT);
  return json_node_get_object (node);
}

static JsonArray *
json_array_of (JsonNode *node)
{
  g_assert_cmpint (json_node_get_node_type (node), ==, JSON_NODE_ARRAY);
  return json_node_get_array (node);
}

/* A failed verb with --json prints {"error": NAME, "message": ...}. */
static void
assert_json_error (const char *out, const char *name)
{
  g_autoptr(JsonNode) node = parse_json (out);
  JsonObject *o = json_object_of (node);

  if (name != NULL)
    g_assert_cmpstr (json_object_get_string_member (o, "error"), ==, name);
  else
    g_assert_true (json_object_has_member (o, "error"));
  g_assert_true (json_object_has_member (o, "message"));
}

static char *
ctl_create (ClHarness *h, const char *title)
{
  g_auto(ClCtlRun) r = { 0 };
  g_autofree char *field = g_strdup_printf ("title=%s", title);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *o;

  ctl (&r, h, "--json", "create", "reverse_connection", "-f", field);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  node = parse_json (r.out);
  o = json_object_of (node);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "path"),
                                   CL_CASE_PATH_PREFIX "/"));
  return g_strdup (json_object_get_string_member (o, "id"));
}

static void
test_verbs_json (void)
{
  ClHarness *h = cl_harness_new (NULL);
  g_autofree char *id = NULL, *id2 = NULL, *want = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_auto(ClCtlRun) r = { 0 };
  JsonObject *o;
  JsonArray *a;

  id = ctl_create (h, "某公司非法排污案");
  want = cl_test_case_id ("FX", 1);
  g_assert_cmpstr (id, ==, want);

  /* Plain create prints just the id. */
  ctl (&r, h, "create", "reverse_connection", "-f", "title=second",
       "-f", "domain=ecology");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  id2 = g_strstrip (g_strdup (r.out));
  g_clear_pointer (&want, g_free);
  want = cl_test_case_id ("FX", 2);
  g_assert_cmpstr (id2, ==, want);
  cl_ctl_run_clear (&r);

  ctl (&r, h, "--json", "show", id);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  node = parse_json (r.out);
  o = json_object_of (node);
  g_assert_cmpstr (json_object_get_string_member (o, "Id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (o, "State"), ==, "non_prosecuted");
  g_assert_cmpstr (json_object_get_string_member (o, "Workflow"), ==, "reverse_connection");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "Fields"),
                                                  "title"), ==, "某公司非法排污案");
  g_clear_pointer (&node, json_node_unref);
  cl_ctl_run_clear (&r);

  ctl (&r, h, "--json", "transitions", id);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  node = parse_json (r.out);
  a = json_array_of (node);
  g_assert_cmpuint (json_array_get_length (a), ==, 1);
  o = json_array_get_object_element (a, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "handoff");
  g_assert_cmpstr (json_object_get_string_member (o, "to"), ==, "registered");
  g_assert_true (json_object_get_boolean_member (o, "allowed"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "missing")),
                    ==, 1);
  g_clear_pointer (&node, json_node_unref);
  cl_ctl_run_clear (&r);

  ctl (&r, h, "--json", "advance", id, "handoff", "-f", "np_decision_no=N-1",
       "-m", "移送");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  node = parse_json (r.out);
  o = json_object_of (node);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "registered");
  g_clear_pointer (&node, json_node_unref);
  cl_ctl_run_clear (&r);

  ctl (&r, h, "--json", "update", id, "-f", "np_person=张三", "-m", "补充");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  node = parse_json (r.out);
  g_assert_cmpstr (json_object_get_string_member (json_object_of (node), "id"), ==, id);
  g_clear_pointer (&node, json_node_unref);
  cl_ctl_run_clear (&r);

  ctl (&r, h, "--json", "comment", id, "已电话联系");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  node = parse_json (r.out);
  g_assert_cmpstr (json_object_get_string_member (json_object_of (node), "id"), ==, id);
  g_clear_pointer (&node, json_node_unref);
  cl_ctl_run_clear (&r);

  ctl (&r, h, "--json", "history", id);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  node = parse_json (r.out);
  a = json_array_of (node);
  /* The second entry is the daemon's note of the 3-working-day deadline. */
  g_assert_cmpuint (json_array_get_length (a), ==, 5);
  {
    static const char *const actions[] = { "created", "deadline", "transition", "update", "comment" };

    for (guint i = 0; i < 5; i++)
      {
        JsonObject *e = json_array_get_object_element (a, i);

        g_assert_cmpint (json_object_get_int_member (e, "seq"), ==, i + 1);
        g_assert_cmpstr (json_object_get_string_member (e, "action"), ==, actions[i]);
        g_assert_cmpuint (strlen (json_object_get_string_member (e, "hash")), ==, 64);
        g_assert_cmpstr (json_object_get_string_member (e, "user"), ==,
                         cl_test_user_name ());
      }
    o = json_array_get_object_element (a, 2);
    g_assert_cmpstr (json_object_get_string_member (o, "from"), ==, "non_prosecuted");
    g_assert_cmpstr (json_object_get_string_member (o, "to"), ==, "registered");
    g_assert_cmpstr (json_object_get_string_member (o, "comment"), ==, "移送");
  }
  g_clear_pointer (&node, json_node_unref);
  cl_ctl_run_clear (&r);

  ctl (&r, h, "--json", "list");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  node = parse_json (r.out);
  a = json_array_of (node);
  g_assert_cmpuint (json_array_get_length (a), ==, 2);
  o = json_array_get_object_element (a, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "registered");
  g_clear_pointer (&node, json_node_unref);
  cl_ctl_run_clear (&r);

  ctl (&r, h, "--json", "list", "--state", "non_prosecuted");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  node = parse_json (r.out);
  a = json_array_of (node);
  g_assert_cmpuint (json_array_get_length (a), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (a, 0),
                                                  "id"), ==, id2);
  g_clear_pointer (&node, json_node_unref);
  cl_ctl_run_clear (&r);

  /* --limit: a page of 1; a number past what caselinkd takes counts as its
   * maximum; anything but a whole number is a usage error. */
  ctl (&r, h, "--json", "list", "--limit", "1");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  node = parse_json (r.out);
  g_assert_cmpuint (json_array_get_length (json_array_of (node)), ==, 1);
  g_clear_pointer (&node, json_node_unref);
  cl_ctl_run_clear (&r);
  ctl (&r, h, "--json", "list", "--limit", "4294967296");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  node = parse_json (r.out);
  g_assert_cmpuint (json_array_get_length (json_array_of (node)), ==, 2);
  g_clear_pointer (&node, json_node_unref);
  cl_ctl_run_clear (&r);
  ctl (&r, h, "list", "--limit", "-1");
  g_assert_cmpint (r.status, ==, EXIT_USAGE);
  g_assert_nonnull (strstr (r.err, "at most 10000"));
  cl_ctl_run_clear (&r);

  /* status works and reports the count. */
  ctl (&r, h, "--json", "status");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  node = parse_json (r.out);
  g_assert_cmpint (json_object_get_int_member (json_object_of (node), "CaseCount"), ==, 2);

  cl_harness_free (h);
}

/* Plain (non-JSON) output of the change verbs: what a script greps. */
static void
test_verbs_plain (void)
{
  ClHarness *h = cl_harness_new (NULL);
  g_autofree char *id = ctl_create (h, "plain");
  g_auto(ClCtlRun) r = { 0 };

  ctl (&r, h, "advance", id, "handoff", "-f", "np_decision_no=N-1");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_cmpstr (r.out, ==, "registered\n");
  cl_ctl_run_clear (&r);

  ctl (&r, h, "show", id);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_nonnull (strstr (r.out, "registered"));
  cl_ctl_run_clear (&r);

  ctl (&r, h, "history", id);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_nonnull (strstr (r.out, "handoff"));
  cl_ctl_run_clear (&r);

  ctl (&r, h, "list");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_nonnull (strstr (r.out, id));

  cl_harness_free (h);
}

static void
test_exit_codes (void)
{
  ClHarness *h = cl_harness_new (NULL);
  g_autofree char *id = ctl_create (h, "exit codes");
  g_autofree char *bad_address = NULL;
  g_auto(ClCtlRun) r = { 0 };

  /* 3: not found — as text on stderr, and as JSON on stdout. */
  ctl (&r, h, "show", "FX-1999-000999");
  g_assert_cmpint (r.status, ==, EXIT_NOT_FOUND);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_cmpstr (r.err, !=, "");
  cl_ctl_run_clear (&r);
  ctl (&r, h, "--json", "show", "FX-1999-000999");
  g_assert_cmpint (r.status, ==, EXIT_NOT_FOUND);
  assert_json_error (r.out, "org.caselink.Error.NotFound");
  cl_ctl_run_clear (&r);
  ctl (&r, h, "create", "no_such_workflow", "-f", "title=x");
  g_assert_cmpint (r.status, ==, EXIT_NOT_FOUND);
  cl_ctl_run_clear (&r);

  /* 5: refused — missing field, invalid transition, bad value. */
  ctl (&r, h, "--json", "advance", id, "handoff");
  g_assert_cmpint (r.status, ==, EXIT_REFUSED);
  assert_json_error (r.out, "org.caselink.Error.MissingField");
  cl_ctl_run_clear (&r);
  ctl (&r, h, "--json", "advance", id, "review");
  g_assert_cmpint (r.status, ==, EXIT_REFUSED);
  assert_json_error (r.out, "org.caselink.Error.InvalidTransition");
  cl_ctl_run_clear (&r);
  ctl (&r, h, "--json", "create", "reverse_connection");
  g_assert_cmpint (r.status, ==, EXIT_REFUSED);
  assert_json_error (r.out, "org.caselink.Error.MissingField");
  cl_ctl_run_clear (&r);
  ctl (&r, h, "create", "all_types", "-f", "title=x", "-f", "count=abc");
  g_assert_cmpint (r.status, ==, EXIT_REFUSED);
  g_assert_nonnull (strstr (r.err, "count"));
  cl_ctl_run_clear (&r);

  /* 2: usage. */
  ctl (&r, h, "frobnicate");
  g_assert_cmpint (r.status, ==, EXIT_USAGE);
  cl_ctl_run_clear (&r);
  ctl (&r, h, "show");
  g_assert_cmpint (r.status, ==, EXIT_USAGE);
  cl_ctl_run_clear (&r);
  ctl (&r, h, "--no-such-option", "list");
  g_assert_cmpint (r.status, ==, EXIT_USAGE);
  cl_ctl_run_clear (&r);
  ctl (&r, h, "create", "reverse_connection", "-f", "no-equals-sign");
  g_assert_cmpint (r.status, ==, EXIT_USAGE);
  cl_ctl_run_clear (&r);
  ctl (&r, h, "--json", "advance", id);
  g_assert_cmpint (r.status, ==, EXIT_USAGE);
  assert_json_error (r.out, NULL);
  cl_ctl_run_clear (&r);

  /* Nothing was changed by any of that. */
  {
    g_autofree char *path = NULL;
    g_autoptr(GVariant) reply = cl_test_call_ok (cl_harness_connection (h),
                                                 CL_MANAGER_PATH, CL_MANAGER_IFACE,
                                                 "GetCase", g_variant_new ("(s)", id));
    g_autoptr(GVariant) history = NULL;
    g_autofree char *state = NULL;

    g_variant_get (reply, "(o)", &path);
    state = cl_test_case_state (cl_harness_connection (h), path);
    g_assert_cmpstr (state, ==, "non_prosecuted");
    history = cl_test_history (cl_harness_connection (h), path);
    g_assert_cmpuint (g_variant_n_children (history), ==, 1);
  }

  /* 1: no daemon there. */
  bad_address = g_strdup_printf ("unix:path=%s/nobody-here", cl_harness_tmpdir (h));
  cl_ctl_at (&r, bad_address, "status", NULL);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  cl_ctl_run_clear (&r);
  /* 1: the bus is there, caselinkd is not: said in caselink's terms, the
   * bus's error name kept for JSON. */
  cl_harness_stop_daemon (h);
  ctl (&r, h, "status");
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  g_assert_nonnull (strstr (r.err, "caselinkd is not running on this bus"));
  cl_ctl_run_clear (&r);
  ctl (&r, h, "--json", "show", id);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  assert_json_error (r.out, "org.freedesktop.DBus.Error.ServiceUnknown");

  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  if (!cl_ctl_available ())
    return 77;
  g_test_add_func ("/ctl/verbs-json", test_verbs_json);
  g_test_add_func ("/ctl/verbs-plain", test_verbs_plain);
  g_test_add_func ("/ctl/exit-codes", test_exit_codes);
  return g_test_run ();
}
