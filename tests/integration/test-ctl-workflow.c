/* test-ctl-workflow.c — caselinkctl's workflow verbs and links: workflow
 * validate (offline: no daemon, no bus; hook names checked with --plugins
 * against the test plugins in CASELINK_TEST_PLUGINS), workflow graph, link
 * and the Links section of show, and titles in the user's language. */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cl-errors.h"
#include "ctl-run.h"
#include "harness.h"

enum { EXIT_OK = 0, EXIT_FAILURE_ = 1, EXIT_USAGE = 2, EXIT_NOT_FOUND = 3,
       EXIT_REFUSED = 5 };

#define ctl(r, h, ...) cl_ctl_at ((r), cl_harness_address (h), __VA_ARGS__, NULL)

/* workflow validate runs offline: give it an address where nothing
 * listens, and it must not care. */
#define NO_BUS "unix:path=/nonexistent/caselink-test-no-bus"
#define validate(r, ...) cl_ctl_at ((r), NO_BUS, "workflow", "validate", __VA_ARGS__, NULL)

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

/* The lines of @text, without the empty one after the last newline. */
static GStrv
lines_of (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);

  g_assert_cmpuint (n, >, 0);
  g_assert_cmpstr (lines[n - 1], ==, "");
  g_free (lines[n - 1]);
  lines[n - 1] = NULL;
  return g_steal_pointer (&lines);
}

/* ---- fixtures ---- */

static char *
make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("caselink-ctl-wf-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
    }
  g_remove (path);
}

static char *
write_file (const char *dir, const char *name, const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* A valid workflow with one deadline, in the calendar named by the second
 * %s; the first %s is an extra top-level line (line 6) or "" (the deadline
 * is then on line 9, the transition on line 12). */
#define VALID_WF \
  "workflow: alpha\n"                                              /* 1 */ \
  "version: 1\n"                                                   /* 2 */ \
  "title: {zh: 甲流程, en: Alpha}\n"                               /* 3 */ \
  "id_prefix: AL\n"                                                /* 4 */ \
  "created_by: [proc_criminal]\n"                                  /* 5 */ \
  "%s"                                                             /* 6 */ \
  "fields:\n"                                                                \
  "  title: {type: string, required: true}\n"                                \
  "states:\n"                                                                \
  "  open: {initial: true, deadline: {in: 3 working_days, calendar: %s}}\n"  \
  "  done: {final: true}\n"                                                  \
  "transitions:\n"                                                           \
  "  finish: {from: open, to: done, by: [proc_criminal]}\n"

static char *
valid_wf (const char *extra_line, const char *calendar)
{
  return g_strdup_printf (VALID_WF, extra_line, calendar);
}

/* ---- workflow validate ---- */

static void
test_validate_shipped (void)
{
  g_autofree char *dir = cl_test_srcdir_path ("workflows");
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *summary = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(ClCtlRun) r = { 0 };
  const char *name;

  g_assert_nonnull (d);
  g_ptr_array_add (args, g_strdup ("--address"));
  g_ptr_array_add (args, g_strdup (NO_BUS));
  g_ptr_array_add (args, g_strdup ("workflow"));
  g_ptr_array_add (args, g_strdup ("validate"));
  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (g_str_has_suffix (name, ".yaml"))
        g_ptr_array_add (args, g_build_filename (dir, name, NULL));
    }
  g_assert_cmpuint (args->len, >, 4);
  summary = g_strdup_printf ("%u %s, 0 errors", args->len - 4,
                             args->len - 4 == 1 ? "file" : "files");
  g_ptr_array_add (args, NULL);

  cl_ctl_argv (&r, NULL, NULL, (const char *const *) args->pdata);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  lines = lines_of (r.out);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_cmpstr (lines[0], ==, summary);

  /* Relative names, from inside the source tree: the shipped file sees
   * calendars/cn.yaml beside it. */
  {
    g_autofree char *srcdir = cl_test_srcdir_path (".");
    const char *rel[] = { "workflow", "validate", "workflows/reverse_connection.yaml", NULL };

    cl_ctl_argv (&r, srcdir, NULL, rel);
    g_assert_cmpint (r.status, ==, EXIT_OK);
    g_assert_cmpstr (r.out, ==, "1 file, 0 errors\n");
  }
}

static void
test_validate_errors (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *text = valid_wf ("colour: red\n", "weekends");
  g_autofree char *bad = write_file (dir, "bad.yaml", text);
  g_autofree char *prefix = g_strdup_printf ("%s:6:1: ", bad);
  g_autofree char *syntax = write_file (dir, "syntax.yaml", "workflow: [unclosed\n");
  g_autofree char *missing = g_build_filename (dir, "missing.yaml", NULL);
  g_auto(GStrv) lines = NULL;
  g_auto(ClCtlRun) r = { 0 };

  validate (&r, bad);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  lines = lines_of (r.out);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_true (g_str_has_prefix (lines[0], prefix));
  g_assert_nonnull (strstr (lines[0], "unknown key 'colour'"));
  g_assert_cmpstr (lines[1], ==, "1 file, 1 error");
  g_clear_pointer (&lines, g_strfreev);

  /* Every error of every file, each FILE:LINE:COLUMN:, then the count. */
  validate (&r, bad, syntax, missing);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  lines = lines_of (r.out);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_true (g_str_has_prefix (lines[0], prefix));
  {
    g_autofree char *syntax_prefix = g_strconcat (syntax, ":", NULL);
    g_autofree char *missing_prefix = g_strconcat (missing, ":1:1: ", NULL);
    g_auto(GStrv) parts = NULL;

    g_assert_true (g_str_has_prefix (lines[1], syntax_prefix));
    parts = g_strsplit (lines[1] + strlen (syntax_prefix), ":", 3);
    g_assert_cmpuint (g_strv_length (parts), ==, 3);
    g_assert_cmpint (atoi (parts[0]), >=, 1);   /* LINE */
    g_assert_cmpint (atoi (parts[1]), >=, 1);   /* COLUMN */
    g_assert_true (g_str_has_prefix (lines[2], missing_prefix));
  }
  g_assert_cmpstr (lines[3], ==, "3 files, 3 errors");
  g_clear_pointer (&lines, g_strfreev);

  /* Usage: no file; --plugins that is no directory; a bus verb's option. */
  validate (&r, "--json");
  g_assert_cmpint (r.status, ==, EXIT_USAGE);
  validate (&r, "--plugins", "/nonexistent/plugins", bad);
  g_assert_cmpint (r.status, ==, EXIT_USAGE);
  validate (&r, "-o", "x.svg", bad);
  g_assert_cmpint (r.status, ==, EXIT_USAGE);

  rm_rf (dir);
}

/* Hostile files: an alias repeating a bad mapping 2,000 times lists the
 * first 100 errors and counts the rest; a FIFO or device is refused
 * unread; a workflow past the size limits is refused before the checks
 * that grow with states × transitions. */
static void
test_validate_hostile (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autoptr(GString) amp = g_string_new ("workflow: amp\nversion: 1\nid_prefix: AM\nfields:\n  f0: &bad {");
  g_autoptr(GString) big = g_string_new ("workflow: big\nversion: 1\nid_prefix: BG\nstates:\n  s0: {initial: true}\n");
  g_autofree char *amp_file = NULL, *big_file = NULL, *fifo = g_build_filename (dir, "fifo.yaml", NULL);
  g_auto(GStrv) lines = NULL;
  g_auto(ClCtlRun) r = { 0 };

  for (int i = 0; i < 1000; i++)
    g_string_append_printf (amp, "%sk%d: 1", i > 0 ? ", " : "", i);
  g_string_append (amp, "}\n");
  for (int i = 1; i < 2000; i++)
    g_string_append_printf (amp, "  f%d: *bad\n", i);
  g_string_append (amp, "states:\n  open: {initial: true}\n  done: {final: true}\n"
                        "transitions:\n  t: {from: open, to: done, by: [a]}\n");
  amp_file = write_file (dir, "amp.yaml", amp->str);
  validate (&r, amp_file);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  lines = lines_of (r.out);
  g_assert_cmpuint (g_strv_length (lines), ==, 102);
  g_assert_nonnull (strstr (lines[100], "more errors, not listed (the first 100 are"));
  g_assert_cmpstr (lines[101], ==, "1 file, 101 errors");
  g_clear_pointer (&lines, g_strfreev);

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  validate (&r, fifo);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  g_assert_nonnull (strstr (r.out, "fifo.yaml:1:1: not a regular file"));

  for (int i = 1; i <= 1000; i++)
    g_string_append_printf (big, "  s%d: {}\n", i);
  g_string_append (big, "transitions:\n");
  for (int i = 0; i <= 1000; i++)
    g_string_append_printf (big, "  t%d: {from: s%d, to: s%d, by: [a]}\n", i, i, (i + 1) % 1001);
  big_file = write_file (dir, "big.yaml", big->str);
  validate (&r, big_file);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  g_assert_nonnull (strstr (r.out, "too large: 1001 states, 1001 transitions, 0 fields (at most 1000, 5000 and 1000)"));

  rm_rf (dir);
}

static void
test_validate_calendars (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *caldir = g_build_filename (dir, "calendars", NULL);
  g_autofree char *unknown_text = valid_wf ("", "nosuch");
  g_autofree char *unknown = write_file (dir, "unknown.yaml", unknown_text);
  g_autofree char *local_text = valid_wf ("", "local");
  g_autofree char *local = NULL;
  g_autofree char *weekends_text = valid_wf ("", "weekends");
  g_autofree char *weekends = NULL;
  g_autofree char *prefix = g_strdup_printf ("%s:9:", unknown);
  g_auto(GStrv) lines = NULL;
  g_auto(ClCtlRun) r = { 0 };

  validate (&r, unknown);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  lines = lines_of (r.out);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_true (g_str_has_prefix (lines[0], prefix));
  g_assert_nonnull (strstr (lines[0], "unknown calendar 'nosuch'"));
  g_clear_pointer (&lines, g_strfreev);

  /* The built-in calendar always exists. */
  weekends = write_file (dir, "weekends.yaml", weekends_text);
  g_remove (unknown);
  validate (&r, weekends);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_remove (weekends);

  /* A calendar in calendars/ beside the file; --calendar names the one for
   * deadlines that name none. */
  g_assert_cmpint (g_mkdir (caldir, 0700), ==, 0);
  g_free (write_file (caldir, "local.yaml",
                      "calendar: local\n"
                      "years:\n"
                      "  2026:\n"
                      "    holidays:\n"
                      "      - {name: Founding day, from: 2026-03-02, to: 2026-03-02}\n"));
  local = write_file (dir, "local.yaml", local_text);
  validate (&r, local);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_cmpstr (r.out, ==, "1 file, 0 errors\n");

  {
    g_autofree char *text = g_strdup_printf (
      "workflow: beta\nversion: 1\ntitle: Beta\nid_prefix: BE\n"
      "fields:\n  title: {type: string, required: true}\n"
      "states:\n  open: {initial: true, deadline: {in: 2 working_days}}\n"
      "  done: {final: true}\n"
      "transitions:\n  finish: {from: open, to: done, by: [proc_criminal]}\n");
    g_autofree char *beta = write_file (dir, "beta.yaml", text);

    validate (&r, "--calendar", "local", beta);
    g_assert_cmpint (r.status, ==, EXIT_OK);
    validate (&r, "--calendar", "nosuch", beta);
    g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
    g_assert_nonnull (strstr (r.out, "unknown calendar 'nosuch'"));
  }

  /* caselinkd shares the calendars of all its directories: a file in
   * another directory, named with one beside calendars/, finds them; so
   * does one named with the calendar file itself, which is checked as a
   * calendar. */
  {
    g_autofree char *other_dir = g_build_filename (dir, "other", NULL);
    g_autofree char *other = NULL, *calendar = g_build_filename (caldir, "local.yaml", NULL);
    g_autofree char *broken = NULL, *broken_prefix = NULL;

    g_assert_cmpint (g_mkdir (other_dir, 0700), ==, 0);
    other = write_file (other_dir, "other.yaml", local_text);
    validate (&r, other);
    g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
    g_assert_nonnull (strstr (r.out, "unknown calendar 'local'"));
    validate (&r, other, local);
    g_assert_cmpint (r.status, ==, EXIT_OK);
    g_assert_cmpstr (r.out, ==, "2 files, 0 errors\n");
    validate (&r, other, calendar);
    g_assert_cmpint (r.status, ==, EXIT_OK);
    g_assert_cmpstr (r.out, ==, "2 files, 0 errors\n");
    broken = write_file (caldir, "broken.yaml", "calendar: broken\n");
    broken_prefix = g_strdup_printf ("%s:1:1: ", broken);
    validate (&r, broken);
    g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
    g_assert_true (g_str_has_prefix (r.out, broken_prefix));
    g_assert_nonnull (strstr (r.out, "1 file, 1 error\n"));
  }

  rm_rf (dir);
}

static void
test_validate_json (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *good_text = valid_wf ("", "weekends");
  g_autofree char *good = write_file (dir, "good.yaml", good_text);
  g_autofree char *bad_text = g_strdup_printf (VALID_WF, "colour: red\n", "weekends");
  g_autofree char *bad = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_auto(ClCtlRun) r = { 0 };
  JsonObject *root, *file;
  JsonArray *files, *errors;

  /* A second workflow needs its own name and id_prefix. */
  {
    GString *s = g_string_new (bad_text);
    g_string_replace (s, "workflow: alpha", "workflow: gamma", 1);
    g_string_replace (s, "id_prefix: AL", "id_prefix: GA", 1);
    bad = write_file (dir, "bad.yaml", s->str);
    g_string_free (s, TRUE);
  }
  prefix = g_strdup_printf ("%s:6:1: ", bad);

  validate (&r, "--json", "--plugins", dir, good, bad);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  g_assert_cmpstr (r.err, ==, "");
  node = parse_json (r.out);
  root = json_object_of (node);
  g_assert_false (json_object_get_boolean_member (root, "ok"));
  files = json_object_get_array_member (root, "files");
  g_assert_cmpuint (json_array_get_length (files), ==, 2);

  file = json_array_get_object_element (files, 0);
  g_assert_cmpstr (json_object_get_string_member (file, "file"), ==, good);
  g_assert_true (json_object_get_boolean_member (file, "ok"));
  g_assert_cmpstr (json_object_get_string_member (file, "workflow"), ==, "alpha");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (file, "errors")), ==, 0);
  /* The file names no hooks. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (file, "hooks")), ==, 0);

  file = json_array_get_object_element (files, 1);
  g_assert_cmpstr (json_object_get_string_member (file, "file"), ==, bad);
  g_assert_false (json_object_get_boolean_member (file, "ok"));
  errors = json_object_get_array_member (file, "errors");
  g_assert_cmpuint (json_array_get_length (errors), ==, 1);
  g_assert_true (g_str_has_prefix (json_array_get_string_element (errors, 0), prefix));
  g_clear_pointer (&node, json_node_unref);

  validate (&r, "--json", good);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  node = parse_json (r.out);
  g_assert_true (json_object_get_boolean_member (json_object_of (node), "ok"));
  g_clear_pointer (&node, json_node_unref);

  /* Plain, with --plugins: it says that no hooks were named, and that DIR
   * holds no plugin. */
  validate (&r, "--plugins", dir, good);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  {
    g_autofree char *expected = g_strdup_printf ("hooks: 0 named, checked against 0 plugins loaded from %s\n"
                                                 "1 file, 0 errors\n", dir);
    g_assert_cmpstr (r.out, ==, expected);
    g_assert_nonnull (strstr (r.err, "caselinkctl: note: no plugin (*.so) in "));
  }

  rm_rf (dir);
}

/* Every line of @err is a note of caselinkctl's: the plugins' own log
 * (init messages, the loader's warnings) is not its output. */
static void
assert_only_notes (const char *err)
{
  g_auto(GStrv) lines = lines_of (err);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (!g_str_has_prefix (lines[i], "caselinkctl: note: "))
        g_error ("not a note on stderr: %s", lines[i]);
    }
}

/* Hook names (guards:, actions:) against the test plugins: checked with
 * --plugins, an error at the name's FILE:LINE:COLUMN when no plugin
 * provides it or it is of another kind; listed as not checked without. */
static void
test_validate_hooks (void)
{
  const char *plugins = g_getenv ("CASELINK_TEST_PLUGINS");
  g_autofree char *plugtest = cl_test_srcdir_path ("tests/data/workflows-plugins/plugtest.yaml");
  g_autofree char *badhook = cl_test_srcdir_path ("tests/data/workflows-plugins/badhook.yaml");
  g_autofree char *checked = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(ClCtlRun) r = { 0 };

  if (plugins == NULL || !g_file_test (plugins, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("CASELINK_TEST_PLUGINS is not set to the test plugins' directory");
      return;
    }

  /* Every hook plugtest names is testplugin's, of the kind it is named as:
   * valid. The plugins that do not load are notes, with the reason. */
  validate (&r, "--plugins", plugins, plugtest);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  checked = g_strdup_printf ("hooks: 3 named, checked against 2 plugins loaded from %s", plugins);
  lines = lines_of (r.out);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_cmpstr (lines[0], ==, checked);
  g_assert_cmpstr (lines[1], ==, "1 file, 0 errors");
  g_clear_pointer (&lines, g_strfreev);
  g_assert_nonnull (strstr (r.err, "failinit) not loaded, its hooks are unknown: init failed: no licence file "));
  g_assert_nonnull (strstr (r.err, "badabi) not loaded, its hooks are unknown: built for plugin ABI 999"));
  g_assert_null (strstr (r.err, "not checked"));
  g_assert_null (strstr (r.err, "testplugin init"));
  assert_only_notes (r.err);

  /* badhook names testplugin.nope, which no plugin provides, and
   * testplugin.code_format, a validator, as a guard: both errors, at the
   * names (line 12: "          guards: [testplugin.nope, testplugin.code_format]}"). */
  validate (&r, "--plugins", plugins, badhook);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  lines = lines_of (r.out);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  expected = g_strdup_printf ("%s:12:20: transition 'close' names guard 'testplugin.nope', "
                              "which no loaded plugin provides (unknown hook)", badhook);
  g_assert_cmpstr (lines[0], ==, expected);
  g_free (expected);
  expected = g_strdup_printf ("%s:12:37: transition 'close' names 'testplugin.code_format' as a guard, "
                              "but that hook is a validator", badhook);
  g_assert_cmpstr (lines[1], ==, expected);
  g_clear_pointer (&expected, g_free);
  g_assert_true (g_str_has_prefix (lines[2], "hooks: 2 named, checked against "));
  g_assert_cmpstr (lines[3], ==, "1 file, 2 errors");
  g_clear_pointer (&lines, g_strfreev);
  assert_only_notes (r.err);

  /* The same as JSON: the errors, and the hooks as named. */
  validate (&r, "--json", "--plugins", plugins, badhook);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  g_assert_cmpstr (r.err, ==, "");
  node = parse_json (r.out);
  {
    JsonObject *root = json_object_of (node);
    JsonObject *file = json_array_get_object_element (json_object_get_array_member (root, "files"), 0);
    JsonArray *hooks = json_object_get_array_member (file, "hooks");
    JsonArray *notes = json_object_get_array_member (root, "notes");
    JsonObject *hook;
    g_autofree char *position = g_strdup_printf ("%s:12:37", badhook);
    gboolean failinit_noted = FALSE;

    g_assert_false (json_object_get_boolean_member (root, "ok"));
    g_assert_cmpstr (json_object_get_string_member (root, "plugins"), ==, plugins);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (file, "errors")), ==, 2);
    g_assert_cmpuint (json_array_get_length (hooks), ==, 2);
    hook = json_array_get_object_element (hooks, 1);
    g_assert_cmpstr (json_object_get_string_member (hook, "name"), ==, "testplugin.code_format");
    g_assert_cmpstr (json_object_get_string_member (hook, "kind"), ==, "guard");
    g_assert_cmpstr (json_object_get_string_member (hook, "position"), ==, position);
    for (guint i = 0; i < json_array_get_length (notes); i++)
      failinit_noted |= strstr (json_array_get_string_element (notes, i), "init failed: no licence file") != NULL;
    g_assert_true (failinit_noted);
  }
  g_clear_pointer (&node, json_node_unref);

  /* Without --plugins the hooks are not checked, so not errors: each
   * file's names are listed once, in a note. */
  validate (&r, badhook);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_cmpstr (r.out, ==, "1 file, 0 errors\n");
  expected = g_strdup_printf ("caselinkctl: note: %s: hooks not checked (no --plugins): "
                              "testplugin.nope, testplugin.code_format\n", badhook);
  g_assert_cmpstr (r.err, ==, expected);
  g_clear_pointer (&expected, g_free);

  validate (&r, plugtest, badhook);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_cmpstr (r.out, ==, "2 files, 0 errors\n");
  expected = g_strdup_printf ("caselinkctl: note: %s: hooks not checked (no --plugins): "
                              "testplugin.on_create, testplugin.not_on_hold, testplugin.stamp\n"
                              "caselinkctl: note: %s: hooks not checked (no --plugins): "
                              "testplugin.nope, testplugin.code_format\n", plugtest, badhook);
  g_assert_cmpstr (r.err, ==, expected);
}

/* Spawn targets are looked for among the given files and the other files
 * beside them; errors are reported for the given files only. */
static void
test_validate_set (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *spawner = NULL;
  g_autofree char *target = NULL;
  g_autofree char *text = NULL;
  g_autofree char *prefix = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(ClCtlRun) r = { 0 };
  GString *s;

  text = valid_wf ("", "weekends");
  s = g_string_new (text);
  g_string_replace (s, "by: [proc_criminal]}",
                    "by: [proc_criminal],\n"
                    "            spawn: {workflow: beta, relation: follow_up, copy: [title]}}", 1);
  g_free (text);
  text = g_string_free (s, FALSE);
  spawner = write_file (dir, "alpha.yaml", text);
  prefix = g_strdup_printf ("%s:13:", spawner);

  /* No beta anywhere. */
  validate (&r, spawner);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  lines = lines_of (r.out);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_true (g_str_has_prefix (lines[0], prefix));
  g_assert_nonnull (strstr (lines[0], "unknown workflow 'beta'"));
  g_clear_pointer (&lines, g_strfreev);

  /* beta beside it, not named: found. */
  target = write_file (dir, "beta.yaml",
                       "workflow: beta\nversion: 1\ntitle: Beta\nid_prefix: BE\n"
                       "fields:\n  title: {type: string, required: true}\n"
                       "  note: {type: text, required: true}\n"
                       "states:\n  open: {initial: true}\n  done: {final: true}\n"
                       "transitions:\n  finish: {from: open, to: done, by: [proc_admin]}\n");
  /* ... but the spawn does not copy beta's required note. */
  validate (&r, spawner);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  g_assert_nonnull (strstr (r.out, "does not copy its required field 'note'"));
  g_assert_true (g_str_has_prefix (r.out, prefix));

  g_free (target);
  target = write_file (dir, "beta.yaml",
                       "workflow: beta\nversion: 1\ntitle: Beta\nid_prefix: BE\n"
                       "fields:\n  title: {type: string, required: true}\n"
                       "states:\n  open: {initial: true}\n  done: {final: true}\n"
                       "transitions:\n  finish: {from: open, to: done, by: [proc_admin]}\n");
  validate (&r, spawner);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_cmpstr (r.out, ==, "1 file, 0 errors\n");

  /* A broken neighbour is not reported as an error of the named file. */
  g_free (write_file (dir, "zz-broken.yaml", "workflow: [\n"));
  validate (&r, spawner);
  g_assert_cmpint (r.status, ==, EXIT_OK);

  /* An id_prefix clash with a neighbour is. */
  g_free (write_file (dir, "clash.yaml",
                      "workflow: clash\nversion: 1\ntitle: Clash\nid_prefix: AL\n"
                      "states:\n  open: {initial: true}\n  done: {final: true}\n"
                      "transitions:\n  finish: {from: open, to: done, by: [proc_admin]}\n"));
  validate (&r, spawner);
  g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
  {
    g_autofree char *clash_prefix = g_strdup_printf ("%s:4:1: id_prefix 'AL'", spawner);
    g_assert_true (g_str_has_prefix (r.out, clash_prefix));
  }

  rm_rf (dir);
}

/* ---- workflow graph ---- */

static void
test_graph (void)
{
  ClHarness *h = cl_harness_new (NULL);
  g_autofree char *dot_file = g_build_filename (cl_harness_tmpdir (h), "graph.dot", NULL);
  g_autofree char *svg_file = g_build_filename (cl_harness_tmpdir (h), "graph.svg", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *dot_path = g_find_program_in_path ("dot");
  g_autoptr(JsonNode) node = NULL;
  g_auto(ClCtlRun) r = { 0 };

  ctl (&r, h, "workflow", "graph", "reverse_connection");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_true (g_str_has_prefix (r.out, "digraph"));
  g_assert_nonnull (strstr (r.out, "non_prosecuted"));

  ctl (&r, h, "--json", "workflow", "graph", "reverse_connection");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  node = parse_json (r.out);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_object_of (node), "dot"),
                                   "digraph"));

  ctl (&r, h, "workflow", "graph", "reverse_connection", "-o", dot_file);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_true (g_file_get_contents (dot_file, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "digraph"));

  /* Unknown workflow: 3; a name that cannot be one: 3 as well. */
  ctl (&r, h, "workflow", "graph", "no_such_workflow");
  g_assert_cmpint (r.status, ==, EXIT_NOT_FOUND);
  ctl (&r, h, "--json", "workflow", "graph", "No/Such");
  g_assert_cmpint (r.status, ==, EXIT_NOT_FOUND);
  g_clear_pointer (&node, json_node_unref);
  node = parse_json (r.out);
  g_assert_cmpstr (json_object_get_string_member (json_object_of (node), "error"), ==,
                   "org.caselink.Error.NotFound");

  /* Other extensions are a usage error, found before any bus call. */
  ctl (&r, h, "workflow", "graph", "reverse_connection", "-o", "graph.txt");
  g_assert_cmpint (r.status, ==, EXIT_USAGE);
  cl_ctl_at (&r, NO_BUS, "workflow", "graph", "reverse_connection", "-o", "graph", NULL);
  g_assert_cmpint (r.status, ==, EXIT_USAGE);

  /* Without dot in PATH: a clear failure. */
  {
    g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "PATH", "/nonexistent", TRUE);
    const char *args[] = { "--address", cl_harness_address (h), "workflow", "graph",
                           "reverse_connection", "-o", svg_file, NULL };

    cl_ctl_argv (&r, NULL, env, args);
    g_assert_cmpint (r.status, ==, EXIT_FAILURE_);
    g_assert_nonnull (strstr (r.err, "graphviz is not installed"));
    g_assert_false (g_file_test (svg_file, G_FILE_TEST_EXISTS));
  }

  if (dot_path != NULL)
    {
      g_clear_pointer (&contents, g_free);
      ctl (&r, h, "workflow", "graph", "reverse_connection", "-o", svg_file);
      g_assert_cmpint (r.status, ==, EXIT_OK);
      g_assert_true (g_file_get_contents (svg_file, &contents, NULL, NULL));
      g_assert_nonnull (strstr (contents, "<svg"));
    }
  else
    g_test_message ("dot is not installed: SVG output not tested");

  cl_harness_free (h);
}

/* ---- link, show ---- */

static char *
create_case (ClHarness *h, const char *title)
{
  g_auto(ClCtlRun) r = { 0 };
  g_autofree char *field = g_strdup_printf ("title=%s", title);

  ctl (&r, h, "create", "reverse_connection", "-f", field);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  return g_strstrip (g_strdup (r.out));
}

static void
assert_json_link (const char *out, const char *relation, const char *id)
{
  g_autoptr(JsonNode) node = parse_json (out);
  JsonArray *links = json_object_get_array_member (json_object_of (node), "Links");
  JsonObject *link;

  g_assert_nonnull (links);
  g_assert_cmpuint (json_array_get_length (links), ==, 1);
  link = json_array_get_object_element (links, 0);
  g_assert_cmpstr (json_object_get_string_member (link, "relation"), ==, relation);
  g_assert_cmpstr (json_object_get_string_member (link, "id"), ==, id);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (link, "path"),
                                   CL_CASE_PATH_PREFIX "/"));
}

static void
test_link_show (void)
{
  ClHarness *h = cl_harness_new (NULL);
  g_autofree char *a = create_case (h, "first");
  g_autofree char *b = create_case (h, "second");
  g_autoptr(JsonNode) node = NULL;
  g_auto(ClCtlRun) r = { 0 };

  /* No links yet: an empty array, and "(none)" in plain. */
  ctl (&r, h, "--json", "show", a);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  node = parse_json (r.out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_object_of (node),
                                                                         "Links")), ==, 0);
  ctl (&r, h, "show", a);
  g_assert_nonnull (strstr (r.out, "Links: (none)\n"));

  ctl (&r, h, "link", a, b, "related");
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_cmpstr (r.out, ==, "");

  ctl (&r, h, "--json", "show", a);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  assert_json_link (r.out, "related", b);
  ctl (&r, h, "--json", "show", b);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  assert_json_link (r.out, "related_of", a);

  /* Linking again succeeds and changes nothing: no history entry, Updated
   * as it was (docs/dbus-api.md, Link). */
  {
    DBusConnection *c = cl_harness_connection (h);
    g_autoptr(GVariant) reply = cl_test_call_ok (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase",
                                                 g_variant_new ("(s)", a));
    g_autoptr(GVariant) before = NULL, after = NULL, history = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;
    gsize entries;

    g_variant_get (reply, "(o)", &path);
    before = cl_test_get_property (c, path, CL_CASE_IFACE, "Updated", &error);
    g_assert_no_error (error);
    history = cl_test_history (c, path);
    entries = g_variant_n_children (history);
    g_clear_pointer (&history, g_variant_unref);
    ctl (&r, h, "link", a, b, "related");
    g_assert_cmpint (r.status, ==, EXIT_OK);
    after = cl_test_get_property (c, path, CL_CASE_IFACE, "Updated", &error);
    g_assert_no_error (error);
    g_assert_true (g_variant_equal (before, after));
    history = cl_test_history (c, path);
    g_assert_cmpuint (g_variant_n_children (history), ==, entries);
  }

  /* Plain: a "Links:" section with "relation  id". */
  ctl (&r, h, "show", b);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  {
    g_autofree char *line = g_strdup_printf ("\nLinks:\n  related_of  %s\n", a);
    g_assert_nonnull (strstr (r.out, line));
  }

  /* Refusals and unknown cases, with the usual exit statuses. */
  ctl (&r, h, "--json", "link", a, b, "related_of");
  g_assert_cmpint (r.status, ==, EXIT_REFUSED);
  ctl (&r, h, "link", a, a, "related");
  g_assert_cmpint (r.status, ==, EXIT_REFUSED);
  ctl (&r, h, "link", a, "FX-1999-000999", "related");
  g_assert_cmpint (r.status, ==, EXIT_NOT_FOUND);
  ctl (&r, h, "link", "FX-1999-000999", a, "related");
  g_assert_cmpint (r.status, ==, EXIT_NOT_FOUND);
  ctl (&r, h, "link", a, b);
  g_assert_cmpint (r.status, ==, EXIT_USAGE);

  /* The deadline of the initial state shows how far off it is. */
  ctl (&r, h, "show", a);
  g_assert_nonnull (strstr (r.out, "Deadline:"));
  g_assert_nonnull (strstr (r.out, "(in "));

  cl_harness_free (h);
}

/* ---- titles in the user's language ---- */

static char **
locale_env (const char *lang)
{
  char **env = g_get_environ ();

  env = g_environ_unsetenv (env, "LANGUAGE");
  env = g_environ_unsetenv (env, "LC_ALL");
  env = g_environ_unsetenv (env, "LC_MESSAGES");
  return g_environ_setenv (env, "LANG", lang, TRUE);
}

static void
assert_titles (ClHarness *h, const char *lang, const char *title)
{
  g_auto(GStrv) env = locale_env (lang);
  const char *list[] = { "--address", cl_harness_address (h), "workflows", NULL };
  const char *show[] = { "--address", cl_harness_address (h), "workflow", "show",
                         "reverse_connection", NULL };
  g_auto(GStrv) lines = NULL;
  g_auto(ClCtlRun) r = { 0 };
  gboolean seen = FALSE;

  cl_ctl_argv (&r, NULL, env, list);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  g_assert_nonnull (strstr (r.out, title));
  cl_ctl_argv (&r, NULL, env, show);
  g_assert_cmpint (r.status, ==, EXIT_OK);
  lines = lines_of (r.out);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "Title:"))
        {
          g_assert_cmpstr (g_strstrip (lines[i] + strlen ("Title:")), ==, title);
          seen = TRUE;
        }
    }
  g_assert_true (seen);
}

static void
test_titles (void)
{
  ClHarness *h = cl_harness_new (NULL);

  assert_titles (h, "en_US.UTF-8", "Non-prosecution to administrative penalty");
  assert_titles (h, "zh_CN.UTF-8", "行刑反向衔接");
  /* Neither: the deployment language's title (zh by default). */
  assert_titles (h, "fr_FR.UTF-8", "行刑反向衔接");
  assert_titles (h, "C", "行刑反向衔接");

  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  if (!cl_ctl_available ())
    return 77;
  g_test_add_func ("/ctl-workflow/validate-shipped", test_validate_shipped);
  g_test_add_func ("/ctl-workflow/validate-errors", test_validate_errors);
  g_test_add_func ("/ctl-workflow/validate-calendars", test_validate_calendars);
  g_test_add_func ("/ctl-workflow/validate-hostile", test_validate_hostile);
  g_test_add_func ("/ctl-workflow/validate-json", test_validate_json);
  g_test_add_func ("/ctl-workflow/validate-set", test_validate_set);
  g_test_add_func ("/ctl-workflow/validate-hooks", test_validate_hooks);
  g_test_add_func ("/ctl-workflow/graph", test_graph);
  g_test_add_func ("/ctl-workflow/link-show", test_link_show);
  g_test_add_func ("/ctl-workflow/titles", test_titles);
  return g_test_run ();
}
