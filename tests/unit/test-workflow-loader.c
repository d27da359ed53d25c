/* Workflow loader: the shipped files load; every class of mistake is
 * reported with file:line:column. */
#include "workflow-loader.h"

#include <glib/gstdio.h>
#include <string.h>

static const char *good =
  "workflow: demo\n"
  "version: 2\n"
  "title: {zh: 演示, en: Demo}\n"
  "id_prefix: DM\n"
  "fields:\n"
  "  title: {type: string, required: true, max: 10}\n"
  "  n: {type: integer}\n"
  "  who: {type: agency}\n"
  "states:\n"
  "  open: {initial: true}\n"
  "  held: {holder: who}\n"
  "  done: {final: true}\n"
  "transitions:\n"
  "  hold: {from: open, to: held, by: [clerk], requires: [who]}\n"
  "  finish: {from: [open, held], to: done, by: clerk}\n";

static CLWorkflow *
load (const char *text, GPtrArray *errors)
{
  return cl_workflow_load_data ("w.yaml", text, strlen (text), NULL, errors);
}

/* Assert that loading @text fails with an error starting "w.yaml:L:C:"
 * and containing @needle. */
static void
assert_error (const char *text, const char *position, const char *needle)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  CLWorkflow *wf = load (text, errors);
  g_autofree char *prefix = g_strdup_printf ("w.yaml:%s: ", position);
  gboolean found = FALSE;

  g_assert_null (wf);
  g_assert_cmpuint (errors->len, >, 0);
  for (guint i = 0; i < errors->len; i++)
    {
      const char *e = g_ptr_array_index (errors, i);
      if (g_str_has_prefix (e, prefix) && strstr (e, needle) != NULL)
        found = TRUE;
    }
  if (!found)
    {
      for (guint i = 0; i < errors->len; i++)
        g_printerr ("got: %s\n", (char *) g_ptr_array_index (errors, i));
      g_error ("expected an error at %s containing '%s'", position, needle);
    }
}

static void
test_good (void)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CLWorkflow) wf = load (good, errors);
  const CLTransition *t;

  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_nonnull (wf);
  g_assert_cmpstr (wf->name, ==, "demo");
  g_assert_cmpuint (wf->version, ==, 2);
  g_assert_cmpstr (wf->id_prefix, ==, "DM");
  g_assert_cmpstr (wf->initial->name, ==, "open");
  g_assert_cmpstr (g_hash_table_lookup (wf->titles, "zh"), ==, "演示");
  g_assert_true (cl_workflow_field (wf, "title")->required);
  g_assert_cmpint (cl_workflow_field (wf, "title")->max, ==, 10);
  g_assert_true (cl_workflow_state (wf, "held")->holder_is_field);
  t = cl_workflow_transition (wf, "finish");
  g_assert_true (cl_transition_leaves (t, "open"));
  g_assert_true (cl_transition_leaves (t, "held"));
  g_assert_false (cl_transition_leaves (t, "done"));
  g_assert_true (cl_transition_allows_role (t, "clerk"));
}

static void
test_shipped (void)
{
  const char *src = g_getenv ("CASELINK_SRCDIR");
  g_autofree char *dir = g_build_filename (src ? src : "..", "workflows", NULL);
  const char *dirs[] = { dir, NULL };
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) set = cl_workflow_load_dirs (dirs, NULL, errors);

  for (guint i = 0; i < errors->len; i++)
    g_printerr ("%s\n", (char *) g_ptr_array_index (errors, i));
  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_nonnull (g_hash_table_lookup (set, "reverse_connection"));
}

static void
test_errors (void)
{
  assert_error ("workflow: demo\nversion: 1\nid_prefix: DM\nbogus: 1\nstates: {a: {initial: true, final: true}}\ntransitions: {}\n",
                "4:1", "unknown key 'bogus'");
  assert_error ("workflow: demo\nversion: 1\nid_prefix: DM\nfields:\n  x: {type: colour}\nstates: {a: {initial: true}, b: {final: true}}\n"
                "transitions: {t: {from: a, to: b, by: r}}\n",
                "5:13", "unknown field type 'colour'");
  assert_error ("workflow: demo\nversion: 1\nid_prefix: DM\nstates: {a: {initial: true}, b: {final: true}}\n"
                "transitions:\n  t: {from: a, to: nowhere, by: r}\n",
                "6:20", "unknown state 'nowhere'");
  assert_error ("workflow: demo\nversion: 1\nversion: 2\n", "3:1", "duplicate key 'version'");
  assert_error ("workflow: demo\nversion: [1\n", "3:1", "");
  assert_error ("workflow: demo\nversion: 0\n", "2:10", "whole number");
  assert_error ("workflow: demo\nversion: 1\nid_prefix: DM\nstates:\n  a: {initial: true}\n  b: {initial: true}\n  c: {final: true}\n"
                "transitions: {t: {from: [a, b], to: c, by: r}}\n",
                "6:3", "second initial state");
  assert_error ("workflow: demo\nversion: 1\nid_prefix: DM\nstates:\n  a: {initial: true}\n  lost: {}\n  c: {final: true}\n"
                "transitions: {t: {from: [a, lost], to: c, by: r}}\n",
                "6:3", "cannot be reached");
  assert_error ("workflow: demo\nversion: 1\nid_prefix: DM\nstates:\n  a: {initial: true}\n  stuck: {}\n  c: {final: true}\n"
                "transitions: {t: {from: a, to: stuck, by: r}, u: {from: a, to: c, by: r}}\n",
                "6:3", "no transition leaves it");
  assert_error ("workflow: demo\nversion: 1\nid_prefix: DM\nstates: {a: {initial: true}, b: {final: true}}\n"
                "transitions:\n  t: {from: a, to: b, by: r, requires: [ghost]}\n",
                "6:40", "unknown field 'ghost'");
  assert_error ("workflow: Demo\n", "1:11", "invalid workflow name");
  assert_error ("workflow: demo\nversion: 1\nid_prefix: dm\n", "3:12", "id_prefix");
  assert_error ("workflow: demo\nversion: 1\nid_prefix: DM\nfields:\n  e: {type: enum}\n", "5:3", "needs values");
  assert_error ("workflow: demo\nversion: 1\nid_prefix: DM\nfields:\n  e: {type: enum, values: [x, y, x]}\n", "5:19",
                "lists the value 'x' twice");
  assert_error ("workflow: demo\nversion: 1\nid_prefix: DM\nstates:\n  a: {initial: true, deadline: {in: 3 hours}}\n"
                "  b: {final: true}\ntransitions:\n  t: {from: a, to: b, by: [r]}\n"
                "  x: {from: a, to: a, by: [r], extend: {in: 1 hour, once: maybe}}\n", "9:59", "expected true or false");
  assert_error ("workflow: demo\nversion: 1\nstates: {a: {initial: true}}\ntransitions: {}\n", "1:1", "missing key 'id_prefix'");
  assert_error ("- just\n- a list\n", "1:1", "must be a map");
  assert_error ("", "1:1", "empty");
  assert_error ("workflow: demo\nversion: 1\nid_prefix: DM\nstates: {a: {initial: true}, b: {final: true}}\n"
                "transitions:\n  t: {from: a, to: b}\n",
                "6:3", "has no 'by'");
}

#define HEAD "workflow: demo\nversion: 1\nid_prefix: DM\nfields:\n  d: {type: date}\n  n: {type: integer}\n  s: {type: string}\n"

static void
test_language_errors (void)
{
  /* deadlines */
  assert_error (HEAD "states:\n  a: {initial: true, deadline: {in: 3 weeks}}\n  b: {final: true}\ntransitions: {t: {from: a, to: b, by: r}}\n",
                "9:37", "expected an amount");
  assert_error (HEAD "states:\n  a: {initial: true, deadline: {in: 3 working_days, from: s}}\n  b: {final: true}\ntransitions: {t: {from: a, to: b, by: r}}\n",
                "9:32", "must be a date field");
  assert_error (HEAD "states:\n  a: {initial: true, deadline: {in: 3 working_days, on_expire: {transition: nope}}}\n  b: {final: true}\ntransitions: {t: {from: a, to: b, by: r}}\n",
                "9:32", "unknown transition 'nope'");
  assert_error (HEAD "states:\n  a: {initial: true, deadline: {in: 3 hours, bogus: 1}}\n  b: {final: true}\ntransitions: {t: {from: a, to: b, by: r}}\n",
                "9:46", "unknown key 'bogus' in a deadline");
  assert_error (HEAD "states:\n  a: {initial: true}\n  b: {final: true, deadline: {in: 1 hours}}\ntransitions: {t: {from: a, to: b, by: r}}\n",
                "10:30", "final state 'b' cannot have a deadline");
  assert_error (HEAD "states:\n  a: {initial: true, deadline: {in: 2 hours, warn_before: 3 hours}}\n  b: {final: true}\ntransitions: {t: {from: a, to: b, by: r}}\n",
                "9:32", "not shorter");
  assert_error (HEAD "states:\n  a: {initial: true, pauses_clock: true}\n  b: {final: true}\ntransitions: {t: {from: a, to: b, by: r}}\n",
                "9:3", "cannot pause the clock");
  /* conditions */
  assert_error (HEAD "states: {a: {initial: true}, b: {final: true}}\ntransitions:\n  t: {from: a, to: b, by: r, when: {field: s, gt: 3}}\n",
                "10:47", "compares integer, number or date");
  assert_error (HEAD "states: {a: {initial: true}, b: {final: true}}\ntransitions:\n  t: {from: a, to: b, by: r, when: {field: n, equals: many}}\n",
                "10:55", "is not a whole number");
  assert_error (HEAD "states: {a: {initial: true}, b: {final: true}}\ntransitions:\n  t: {from: a, to: b, by: r, when: {field: ghost, set: true}}\n",
                "10:44", "unknown field 'ghost'");
  assert_error (HEAD "states: {a: {initial: true}, b: {final: true}}\ntransitions:\n  t: {from: a, to: b, by: r, when: {any: []}}\n",
                "10:42", "non-empty list");
  /* extend and spawn */
  assert_error (HEAD "states: {a: {initial: true}, b: {final: true}}\ntransitions:\n  t: {from: a, to: b, by: r, extend: {in: 2 hours}}\n",
                "10:3", "none of its from-states has one");
  assert_error (HEAD "states: {a: {initial: true}, b: {final: true}}\ntransitions:\n  t: {from: a, to: b, by: r, spawn: {workflow: other, copy: [ghost]}}\n",
                "10:37", "spawn needs relation");
}

/* Hostile nesting is refused before the document is built. */
static void
test_deep_nesting (void)
{
  GString *text = g_string_new ("workflow: demo\nversion: 1\nid_prefix: DM\ndescription: ");
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  CLWorkflow *wf;

  for (int i = 0; i < 100; i++)
    g_string_append_c (text, '[');
  for (int i = 0; i < 100; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '\n');
  wf = cl_workflow_load_data ("w.yaml", text->str, text->len, NULL, errors);
  g_assert_null (wf);
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (errors, 0), "w.yaml:4:77: nested more than 64 levels deep"));
  g_string_free (text, TRUE);
}

static void
test_calendars_and_sets (void)
{
  g_autoptr(GHashTable) cals = g_hash_table_new (g_str_hash, g_str_equal);
  CLLoadOptions opts = { cals, "cn" };
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  const char *text = HEAD "states:\n  a: {initial: true, deadline: {in: 3 working_days}}\n  b: {final: true}\n"
                     "transitions: {t: {from: a, to: b, by: r, spawn: {workflow: target, relation: sub, copy: [s]}}}\n";
  CLWorkflow *wf = cl_workflow_load_data ("w.yaml", text, strlen (text), &opts, errors);
  g_autoptr(GHashTable) set = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) cl_workflow_unref);

  /* the default calendar must exist */
  g_assert_null (wf);
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (errors, 0), "unknown calendar 'cn'"));
  g_ptr_array_set_size (errors, 0);
  g_hash_table_add (cals, (gpointer) "cn");
  wf = cl_workflow_load_data ("w.yaml", text, strlen (text), &opts, errors);
  g_assert_nonnull (wf);

  /* a spawn target must exist and its required fields be copied */
  g_hash_table_insert (set, wf->name, wf);
  cl_workflow_check_set (set, errors);
  g_assert_cmpuint (g_hash_table_size (set), ==, 0);
  g_test_message ("%s", (char *) g_ptr_array_index (errors, 0));
  g_assert_nonnull (strstr (g_ptr_array_index (errors, 0), "w.yaml:11:49: transition 't' spawns a case of unknown workflow 'target'"));
}

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
test_dirs (void)
{
  g_autofree char *a = g_dir_make_tmp ("cl-wf-a-XXXXXX", NULL);
  g_autofree char *b = g_dir_make_tmp ("cl-wf-b-XXXXXX", NULL);
  g_autofree char *other = NULL;
  const char *dirs[] = { a, b, NULL };
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) set = NULL;
  CLWorkflow *wf;

  write_file (a, "demo.yaml", good);
  write_file (a, "broken.yaml", "workflow: [\n");
  write_file (b, "demo.yaml", "workflow: demo\nversion: 3\nid_prefix: DM\nstates: {a: {initial: true}, b: {final: true}}\n"
                              "transitions: {t: {from: a, to: b, by: r}}\n");
  other = g_strdup ("workflow: other\nversion: 1\nid_prefix: DM\nstates: {a: {initial: true}, b: {final: true}}\n"
                    "transitions: {t: {from: a, to: b, by: r}}\n");
  write_file (b, "other.yaml", other);
  write_file (b, "notes.txt", "ignored");

  set = cl_workflow_load_dirs (dirs, NULL, errors);
  wf = g_hash_table_lookup (set, "demo");
  g_assert_nonnull (wf);
  g_assert_cmpuint (wf->version, ==, 3);           /* the later directory wins */
  g_assert_null (g_hash_table_lookup (set, "other")); /* its prefix is taken */
  g_assert_cmpuint (errors->len, ==, 2);
  g_assert_true (strstr (g_ptr_array_index (errors, 0), "broken.yaml:2:1:") != NULL);
  g_assert_true (strstr (g_ptr_array_index (errors, 1), "other.yaml:3:1: id_prefix 'DM' is already used") != NULL);
}

/* guards: and actions: name plugin hooks; whether a plugin provides them is
 * a separate check against the hooks of the loaded plugins. */
static void
test_hooks (void)
{
  static const char *text =
    "workflow: hooked\n"
    "version: 1\n"
    "id_prefix: HK\n"
    "actions: eco.on_create\n"
    "fields:\n"
    "  title: {type: string, required: true}\n"
    "states:\n"
    "  open: {initial: true}\n"
    "  done: {final: true}\n"
    "transitions:\n"
    "  finish: {from: open, to: done, by: clerk,\n"
    "           guards: [eco.region_ok, eco.nope], actions: [eco.stamp]}\n";
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) hooks = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(CLWorkflow) wf = load (text, errors);
  const CLTransition *t;
  g_autofree char *canonical = NULL;

  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_nonnull (wf);
  g_assert_cmpuint (wf->actions->len, ==, 1);
  t = cl_workflow_transition (wf, "finish");
  g_assert_cmpuint (t->guards->len, ==, 2);
  g_assert_cmpstr (((CLHookRef *) t->guards->pdata[1])->name, ==, "eco.nope");
  g_assert_cmpstr (((CLHookRef *) t->guards->pdata[1])->position, ==, "w.yaml:12:36");
  canonical = cl_workflow_canonical (wf);
  g_assert_nonnull (strstr (canonical, "guards[eco.region_ok,eco.nope] actions[eco.stamp]"));

  /* NULL: not checked (the loader alone knows no plugins). */
  g_assert_true (cl_workflow_check_hooks (wf, NULL, errors));
  g_hash_table_insert (hooks, (gpointer) "eco.on_create", (gpointer) "action");
  g_hash_table_insert (hooks, (gpointer) "eco.region_ok", (gpointer) "validator");
  g_hash_table_insert (hooks, (gpointer) "eco.stamp", (gpointer) "action");
  g_assert_false (cl_workflow_check_hooks (wf, hooks, errors));
  g_assert_cmpuint (errors->len, ==, 2);
  g_assert_cmpstr (errors->pdata[0], ==,
                   "w.yaml:12:21: transition 'finish' names 'eco.region_ok' as a guard, but that hook is a validator");
  g_assert_cmpstr (errors->pdata[1], ==,
                   "w.yaml:12:36: transition 'finish' names guard 'eco.nope', which no loaded plugin provides (unknown hook)");

  assert_error ("workflow: x\nversion: 1\nid_prefix: X\nstates: {a: {initial: true}, b: {final: true}}\n"
                "transitions: {t: {from: a, to: b, by: r, guards: [nodot]}}\n",
                "5:51", "invalid guard name 'nodot'");
  assert_error ("workflow: x\nversion: 1\nid_prefix: X\nstates: {a: {initial: true}, b: {final: true}}\n"
                "transitions: {t: {from: a, to: b, by: r, actions: [p.a, p.a]}}\n",
                "5:57", "action 'p.a' is named twice");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/loader/good", test_good);
  g_test_add_func ("/loader/shipped", test_shipped);
  g_test_add_func ("/loader/errors", test_errors);
  g_test_add_func ("/loader/dirs", test_dirs);
  g_test_add_func ("/loader/language-errors", test_language_errors);
  g_test_add_func ("/loader/calendars-and-sets", test_calendars_and_sets);
  g_test_add_func ("/loader/deep-nesting", test_deep_nesting);
  g_test_add_func ("/loader/hooks", test_hooks);
  return g_test_run ();
}
