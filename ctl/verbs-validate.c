/* verbs-validate.c — workflow validate: caselinkd's loader checks, offline.
 *
 * Each FILE is loaded with common/workflow-loader.c exactly as caselinkd
 * loads it, against the calendars caselinkd would know with every FILE's
 * directory among its workflow directories: calendars/ beside any FILE
 * (caselinkd shares one set of calendars across its directories), the
 * installed calendar directories and the built-in "weekends". A FILE in a
 * directory named calendars/ is a calendar, checked as one. Then the checks between workflows of one set (spawn targets
 * and the fields they copy, id_prefix clashes) run with every FILE and the
 * other *.yaml files beside them as the set — the directory caselinkd would
 * load the file from. Errors are reported for the FILEs named only; what
 * is wrong with the files around them shows as notes when it matters.
 *
 * The plugin hooks a FILE names (guards:, actions:) are checked with
 * --plugins DIR against the hooks of the plugins in DIR, probed with
 * caselinkd's own plugin loader (daemon/plugin-loader.c, linked in): an
 * unknown hook or one of another kind is an error, as in caselinkd, and a
 * workflow with such errors is left out of the set of the others. Without
 * --plugins the names are listed in a note, unchecked.
 *
 * What needs caselinkd's database (a version whose definition differs from
 * the one stored under that number) is not checked here.
 */
#include "config.h"

#include "ctl.h"

#include "ctl-error.h"
#include "ctl-output.h"
#include "plugin-loader.h"
#include "workflow-loader.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Always known to caselinkd (daemon/registry.c). */
#define BUILTIN_CALENDAR "weekends"
/* caselinkd's [daemon] calendar when caselink.conf sets none. */
#define DEFAULT_CALENDAR "cn"

typedef struct {
  char *dir;              /* as first seen in a FILE's name */
  GHashTable *calendars;  /* calendar names known to files in @dir */
  GPtrArray *context;     /* CLWorkflow* of the other files in @dir */
  GPtrArray *broken;      /* "FILE does not load (first error)" for the others */
} DirContext;

typedef struct {
  char *file;             /* as given: the loader's errors start with it */
  DirContext *dir;        /* borrowed */
  CLWorkflow *wf;         /* NULL when it does not load */
  GPtrArray *errors;      /* "FILE:LINE:COLUMN: message" */
  gboolean set_errors;    /* some came from cl_workflow_check_set (spawns) */
  gboolean hook_errors;   /* names hooks the plugins do not provide as such */
  char *calendar;         /* a calendar file: its name once it loads */
} FileReport;

typedef struct {
  const char *default_calendar;
  GHashTable *installed;  /* calendar names of the installed directories and
                           * of calendars/ beside every FILE */
  GHashTable *dirs;       /* canonical dir -> DirContext */
  GPtrArray *dir_order;   /* the DirContexts in the order first named */
  GPtrArray *files;       /* FileReport* in the order given */
  GPtrArray *notes;       /* text for people, not errors */
  GHashTable *hooks;      /* hook name -> kind of the probed plugins; NULL
                           * without --plugins: hooks are not checked */
} Validation;

static void
dir_context_free (gpointer data)
{
  DirContext *dc = data;

  g_free (dc->dir);
  g_hash_table_unref (dc->calendars);
  g_ptr_array_unref (dc->context);
  g_ptr_array_unref (dc->broken);
  g_free (dc);
}

static void
file_report_free (gpointer data)
{
  FileReport *fr = data;

  g_free (fr->file);
  g_clear_pointer (&fr->wf, cl_workflow_unref);
  g_free (fr->calendar);
  g_ptr_array_unref (fr->errors);
  g_free (fr);
}

/* @dir/@name, or @name alone in the current directory, as the user would
 * write it. */
static char *
path_in (const char *dir, const char *name)
{
  if (strcmp (dir, ".") == 0)
    return g_strdup (name);
  return g_build_filename (dir, name, NULL);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The *.yaml names directly inside @dir, sorted as caselinkd sorts them;
 * empty when @dir cannot be read. */
static GPtrArray *
yaml_files (const char *dir)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;

  if (d == NULL)
    return names;
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      if (g_str_has_suffix (entry, ".yaml") && entry[0] != '.')
        g_ptr_array_add (names, g_strdup (entry));
    }
  g_ptr_array_sort (names, compare_strings);
  return names;
}

/* Add the names of the calendars in @dir to @names; a calendar file that
 * does not load becomes a note (its name then reads as unknown, as it
 * would in caselinkd, which reports the file itself when it loads). */
static void
add_calendars (Validation *v, GHashTable *names, const char *dir)
{
  g_autoptr(GPtrArray) files = yaml_files (dir);

  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *path = path_in (dir, g_ptr_array_index (files, i));
      g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(CLCalendar) cal = NULL;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      cal = cl_calendar_load_file (path, errors);
      if (cal != NULL)
        {
          g_hash_table_add (names, g_strdup (cl_calendar_name (cal)));
          continue;
        }
      for (guint j = 0; j < errors->len; j++)
        g_ptr_array_add (v->notes, g_strdup_printf ("calendar not loaded: %s",
                                                    (char *) g_ptr_array_index (errors, j)));
    }
}

/* A file directly inside a directory named calendars/, where caselinkd
 * looks for calendars (daemon/registry.c). */
static gboolean
is_calendar_file (const char *file)
{
  g_autofree char *dir = g_path_get_dirname (file);
  g_autofree char *canonical = g_canonicalize_filename (dir, NULL);
  g_autofree char *base = g_path_get_basename (canonical);

  return strcmp (base, "calendars") == 0;
}

static GHashTable *
name_set (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* The directory of @file, its calendars and (later) its other workflows. */
static DirContext *
dir_context_for (Validation *v, const char *file)
{
  g_autofree char *dir = g_path_get_dirname (file);
  g_autofree char *key = g_canonicalize_filename (dir, NULL);
  DirContext *dc = g_hash_table_lookup (v->dirs, key);
  GHashTableIter it;
  gpointer name;

  if (dc != NULL)
    return dc;
  dc = g_new0 (DirContext, 1);
  dc->calendars = name_set ();
  dc->context = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_workflow_unref);
  dc->broken = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_add (dc->calendars, g_strdup (BUILTIN_CALENDAR));
  /* calendars/ beside every FILE is in v->installed already */
  g_hash_table_iter_init (&it, v->installed);
  while (g_hash_table_iter_next (&it, &name, NULL))
    g_hash_table_add (dc->calendars, g_strdup (name));
  dc->dir = g_steal_pointer (&dir);
  g_hash_table_insert (v->dirs, g_steal_pointer (&key), dc);
  g_ptr_array_add (v->dir_order, dc);
  return dc;
}

/* Same file by device and inode (so "x.yaml" and "./x.yaml" are one), or
 * by name when it cannot be stat()ed. */
static gboolean
same_file (const char *a, const char *b)
{
  GStatBuf sa, sb;

  if (g_stat (a, &sa) == 0 && g_stat (b, &sb) == 0)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  return strcmp (a, b) == 0;
}

static gboolean
is_named (Validation *v, const char *path)
{
  for (guint i = 0; i < v->files->len; i++)
    {
      FileReport *fr = g_ptr_array_index (v->files, i);
      if (same_file (fr->file, path))
        return TRUE;
    }
  return FALSE;
}

/* The other workflows beside the named files: the set they live in. */
static void
load_context (Validation *v, DirContext *dc)
{
  g_autoptr(GPtrArray) files = yaml_files (dc->dir);
  CLLoadOptions opts = { dc->calendars, v->default_calendar };

  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *path = path_in (dc->dir, g_ptr_array_index (files, i));
      g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
      CLWorkflow *wf;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || is_named (v, path))
        continue;
      wf = cl_workflow_load_file (path, &opts, errors);
      /* caselinkd leaves out a workflow naming hooks it lacks. */
      if (wf != NULL && !cl_workflow_check_hooks (wf, v->hooks, errors))
        g_clear_pointer (&wf, cl_workflow_unref);
      if (wf != NULL)
        g_ptr_array_add (dc->context, wf);
      else
        {
          g_autofree char *more = errors->len > 1
                                  ? g_strdup_printf (" and %u more", errors->len - 1) : NULL;
          g_ptr_array_add (dc->broken, g_strdup_printf ("%s does not load (%s%s)", path,
                                                        errors->len > 0
                                                        ? (char *) g_ptr_array_index (errors, 0)
                                                        : "no reason given",
                                                        more != NULL ? more : ""));
        }
    }
}

/* Line of the top-level @key in @source (1 if not found), for errors found
 * after parsing, as the loader reports them. */
static guint
top_key_line (const char *source, const char *key)
{
  gsize klen = strlen (key);
  guint line = 1;

  for (const char *p = source; *p != '\0'; p++)
    {
      if ((p == source || p[-1] == '\n') && strncmp (p, key, klen) == 0 && p[klen] == ':')
        return line;
      if (*p == '\n')
        line++;
    }
  return 1;
}

static void
set_insert (GHashTable *set, CLWorkflow *wf)
{
  g_hash_table_replace (set, wf->name, cl_workflow_ref (wf));
}

/* The set caselinkd would hold with @fr's workflow in it: the context of
 * every named directory, then the other named files (but those naming hooks
 * the plugins lack, which caselinkd leaves out), then @fr itself (a later
 * definition of a name replaces an earlier one). */
static GHashTable *
set_for (Validation *v, FileReport *fr)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) cl_workflow_unref);

  for (guint d = 0; d < v->dir_order->len; d++)
    {
      DirContext *dc = g_ptr_array_index (v->dir_order, d);
      for (guint i = 0; i < dc->context->len; i++)
        set_insert (set, g_ptr_array_index (dc->context, i));
    }
  for (guint i = 0; i < v->files->len; i++)
    {
      FileReport *other = g_ptr_array_index (v->files, i);
      if (other != fr && other->wf != NULL && !other->hook_errors)
        set_insert (set, other->wf);
    }
  set_insert (set, fr->wf);
  return set;
}

/* Another file beside @fr defining the same workflow: caselinkd keeps one
 * of the two without a word, so say so. */
static void
note_same_name (Validation *v, FileReport *fr)
{
  for (guint i = 0; i < fr->dir->context->len; i++)
    {
      CLWorkflow *other = g_ptr_array_index (fr->dir->context, i);

      if (strcmp (other->name, fr->wf->name) == 0)
        g_ptr_array_add (v->notes, g_strdup_printf ("%s: workflow '%s' is also defined in %s; "
                                                    "caselinkd loads only one of the two",
                                                    fr->file, other->name, other->source_path));
    }
}

/* Two workflows of one set may not share an id_prefix: caselinkd refuses
 * the one it loads second. */
static void
check_id_prefix (FileReport *fr, GHashTable *set)
{
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, set);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      CLWorkflow *other = value;

      if (other == fr->wf || strcmp (other->name, fr->wf->name) == 0
          || strcmp (other->id_prefix, fr->wf->id_prefix) != 0)
        continue;
      g_ptr_array_add (fr->errors,
                       g_strdup_printf ("%s:%u:1: id_prefix '%s' is also used by workflow '%s' (%s); "
                                        "caselinkd refuses whichever of the two it loads second",
                                        fr->file, top_key_line (fr->wf->source, "id_prefix"),
                                        fr->wf->id_prefix, other->name, other->source_path));
    }
}

/* A spawn target missing from the set because caselinkd would leave it
 * out for its hooks: say why (its own errors are reported with it). */
static void
note_hook_target (Validation *v, FileReport *fr, const char *name)
{
  for (guint i = 0; i < v->files->len; i++)
    {
      FileReport *other = g_ptr_array_index (v->files, i);

      if (other != fr && other->wf != NULL && other->hook_errors && strcmp (other->wf->name, name) == 0)
        {
          char *note = g_strdup_printf ("%s: the spawn target '%s' (%s) is left out of the set "
                                        "because it names hooks the plugins do not provide",
                                        fr->file, name, other->file);

          /* Once, however many transitions spawn it. */
          if (g_ptr_array_find_with_equal_func (v->notes, note, g_str_equal, NULL))
            g_free (note);
          else
            g_ptr_array_add (v->notes, note);
          return;
        }
    }
}

static void
check_in_set (Validation *v, FileReport *fr)
{
  g_autoptr(GHashTable) set = set_for (v, fr);
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *prefix = g_strconcat (fr->file, ":", NULL);
  g_autoptr(GPtrArray) targets = g_ptr_array_new ();

  note_same_name (v, fr);
  check_id_prefix (fr, set);

  /* Spawn targets there before the check, to tell "unknown" from "dropped
   * for its own errors" afterwards. */
  for (guint i = 0; i < fr->wf->transitions->len; i++)
    {
      CLTransition *t = g_ptr_array_index (fr->wf->transitions, i);
      CLWorkflow *target;

      if (t->spawn == NULL)
        continue;
      target = g_hash_table_lookup (set, t->spawn->workflow);
      if (target != NULL && target != fr->wf && !g_ptr_array_find (targets, target, NULL))
        g_ptr_array_add (targets, target);
      if (target == NULL)
        note_hook_target (v, fr, t->spawn->workflow);
    }

  cl_workflow_check_set (set, errors);
  for (guint i = 0; i < errors->len; i++)
    {
      char *error = g_ptr_array_index (errors, i);
      if (g_str_has_prefix (error, prefix))
        {
          g_ptr_array_add (fr->errors, g_strdup (error));
          fr->set_errors = TRUE;
        }
    }

  for (guint i = 0; i < targets->len; i++)
    {
      CLWorkflow *target = g_ptr_array_index (targets, i);

      if (g_hash_table_lookup (set, target->name) != target)
        g_ptr_array_add (v->notes, g_strdup_printf ("%s: the spawn target '%s' (%s) is left out of "
                                                    "the set because of its own errors",
                                                    fr->file, target->name, target->source_path));
    }
}

/* ---- plugin hooks ---- */

/* Set while the plugins are probed (loaded, initialised, freed). */
static gboolean probing;

/* While probing, the loader's log (a plugin not loaded: a note instead,
 * with its reason; one loaded) and what plugins say at init and exit is
 * caselinkd's log, not caselinkctl's output: only plugins' own warnings and
 * worse stay. */
static GLogWriterOutput
probe_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  if (probing)
    {
      const char *domain = NULL;

      for (gsize i = 0; i < n_fields; i++)
        {
          if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0 && fields[i].length < 0)
            domain = fields[i].value;
        }
      if ((level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG)) != 0)
        return G_LOG_WRITER_HANDLED;
      if ((level & G_LOG_LEVEL_WARNING) != 0 && g_strcmp0 (domain, "caselink-plugins") == 0)
        return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* Load the plugins in @dir as caselinkd would, but lazily bound and
 * running no hooks; their hooks become @v's, each plugin that does not
 * load a note with the reason. @n_loaded: how many did load. */
static CLPlugins *
probe_plugins (Validation *v, const char *dir, guint *n_loaded)
{
  g_autoptr(GVariant) described = NULL;
  g_autofree char *shown = g_filename_display_name (dir);
  CLPlugins *plugins;
  GVariantIter it;
  GVariant *entry;
  guint n_found = 0;

  g_log_set_writer_func (probe_log_writer, NULL, NULL);
  probing = TRUE;
  plugins = cl_plugins_load (dir, NULL, TRUE);
  probing = FALSE;

  described = g_variant_ref_sink (cl_plugins_describe (plugins));
  g_variant_iter_init (&it, described);
  while ((entry = g_variant_iter_next_value (&it)) != NULL)
    {
      g_autoptr(GVariant) e = entry;
      const char *name = "", *file = "", *why = "";
      gboolean loaded = FALSE;

      n_found++;
      g_variant_lookup (e, "name", "&s", &name);
      g_variant_lookup (e, "file", "&s", &file);
      g_variant_lookup (e, "error", "&s", &why);
      g_variant_lookup (e, "loaded", "b", &loaded);
      if (!loaded)
        g_ptr_array_add (v->notes, g_strdup_printf ("plugin %s (%s) not loaded, its hooks are unknown: %s",
                                                    file, name, why));
    }
  if (n_found == 0)
    g_ptr_array_add (v->notes, g_strdup_printf ("no plugin (*.so) in %s or its subdirectories, "
                                                "so every hook named is unknown", shown));
  *n_loaded = cl_plugins_loaded (plugins)->len;
  v->hooks = cl_plugins_hook_kinds (plugins);
  return plugins;
}

static void
unload_plugins (CLPlugins *plugins)
{
  probing = TRUE;
  cl_plugins_free (plugins);
  probing = FALSE;
}

/* The hooks @wf names, as CLHookRef* (borrowed) in @refs and the kind each
 * is named as ("guard", "action") in @kinds: the creation actions, then
 * each transition's guards and actions. */
static void
hook_refs_of (const CLWorkflow *wf, GPtrArray *refs, GPtrArray *kinds)
{
  GPtrArray *lists[2];
  const char *list_kinds[2] = { "guard", "action" };

  for (guint i = 0; wf->actions != NULL && i < wf->actions->len; i++)
    {
      g_ptr_array_add (refs, g_ptr_array_index (wf->actions, i));
      g_ptr_array_add (kinds, (gpointer) "action");
    }
  for (guint t = 0; t < wf->transitions->len; t++)
    {
      CLTransition *tr = g_ptr_array_index (wf->transitions, t);

      lists[0] = tr->guards;
      lists[1] = tr->actions;
      for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
        {
          for (guint i = 0; lists[l] != NULL && i < lists[l]->len; i++)
            {
              g_ptr_array_add (refs, g_ptr_array_index (lists[l], i));
              g_ptr_array_add (kinds, (gpointer) list_kinds[l]);
            }
        }
    }
}

/* Without --plugins: the names @fr's workflow uses, each once, in a note. */
static void
note_unchecked_hooks (Validation *v, FileReport *fr)
{
  g_autoptr(GPtrArray) refs = g_ptr_array_new ();
  g_autoptr(GPtrArray) kinds = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) names = g_string_new (NULL);

  hook_refs_of (fr->wf, refs, kinds);
  for (guint i = 0; i < refs->len; i++)
    {
      CLHookRef *ref = g_ptr_array_index (refs, i);

      if (!g_hash_table_add (seen, ref->name))
        continue;
      g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "", ref->name);
    }
  if (names->len > 0)
    g_ptr_array_add (v->notes, g_strdup_printf ("%s: hooks not checked (no --plugins): %s",
                                                fr->file, names->str));
}

static guint
count_hooks (Validation *v)
{
  guint n = 0;

  for (guint i = 0; i < v->files->len; i++)
    {
      FileReport *fr = g_ptr_array_index (v->files, i);
      g_autoptr(GPtrArray) refs = g_ptr_array_new ();
      g_autoptr(GPtrArray) kinds = g_ptr_array_new ();

      if (fr->wf == NULL)
        continue;
      hook_refs_of (fr->wf, refs, kinds);
      n += refs->len;
    }
  return n;
}

/* ---- output ---- */

static guint
count_errors (Validation *v)
{
  guint n = 0;

  for (guint i = 0; i < v->files->len; i++)
    n += ((FileReport *) g_ptr_array_index (v->files, i))->errors->len;
  return n;
}

/* File names and the loader's messages are bytes; JSON must be UTF-8. */
static CtlJson *
json_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  return ctl_json_string (valid);
}

static void
print_json (Validation *v, const char *plugins_dir)
{
  g_autoptr(CtlJson) root = ctl_json_object_new ();
  CtlJson *files = ctl_json_array_new ();
  CtlJson *notes = ctl_json_array_new ();

  ctl_json_object_set (root, "files", files);
  for (guint i = 0; i < v->files->len; i++)
    {
      FileReport *fr = g_ptr_array_index (v->files, i);
      CtlJson *file = ctl_json_object_new ();
      CtlJson *errors = ctl_json_array_new ();
      CtlJson *hooks = ctl_json_array_new ();

      ctl_json_array_add (files, file);
      ctl_json_object_set (file, "file", json_text (fr->file));
      ctl_json_object_set_boolean (file, "ok", fr->errors->len == 0);
      ctl_json_object_set (file, "workflow",
                           fr->wf != NULL ? json_text (fr->wf->name) : ctl_json_null ());
      if (fr->calendar != NULL)
        ctl_json_object_set (file, "calendar", json_text (fr->calendar));
      ctl_json_object_set (file, "errors", errors);
      for (guint j = 0; j < fr->errors->len; j++)
        ctl_json_array_add (errors, json_text (g_ptr_array_index (fr->errors, j)));
      /* The hooks the file names, checked or not ("plugins"). */
      ctl_json_object_set (file, "hooks", hooks);
      if (fr->wf != NULL)
        {
          g_autoptr(GPtrArray) refs = g_ptr_array_new ();
          g_autoptr(GPtrArray) kinds = g_ptr_array_new ();

          hook_refs_of (fr->wf, refs, kinds);
          for (guint j = 0; j < refs->len; j++)
            {
              CLHookRef *ref = g_ptr_array_index (refs, j);
              CtlJson *hook = ctl_json_object_new ();

              ctl_json_array_add (hooks, hook);
              ctl_json_object_set (hook, "name", json_text (ref->name));
              ctl_json_object_set_string (hook, "kind", g_ptr_array_index (kinds, j));
              ctl_json_object_set (hook, "position", json_text (ref->position));
            }
        }
    }
  ctl_json_object_set_boolean (root, "ok", count_errors (v) == 0);
  ctl_json_object_set (root, "plugins",
                       plugins_dir != NULL ? json_text (plugins_dir) : ctl_json_null ());
  ctl_json_object_set (root, "notes", notes);
  for (guint i = 0; i < v->notes->len; i++)
    ctl_json_array_add (notes, json_text (g_ptr_array_index (v->notes, i)));

  ctl_print_json (root, FALSE);
}

static void
print_plain (Validation *v, const char *plugins_dir, guint n_plugins)
{
  guint n_files = v->files->len;
  guint n_errors = count_errors (v);
  guint n_hooks = count_hooks (v);

  /* Errors as compilers print them, so editors can jump to them. Bytes as
   * they are: a file name need not be UTF-8. */
  for (guint i = 0; i < v->files->len; i++)
    {
      FileReport *fr = g_ptr_array_index (v->files, i);
      for (guint j = 0; j < fr->errors->len; j++)
        printf ("%s\n", (char *) g_ptr_array_index (fr->errors, j));
    }
  for (guint i = 0; i < v->notes->len; i++)
    fprintf (stderr, "caselinkctl: note: %s\n", (char *) g_ptr_array_index (v->notes, i));
  if (plugins_dir != NULL)
    printf ("hooks: %u named, checked against %u %s loaded from %s\n", n_hooks,
            n_plugins, n_plugins == 1 ? "plugin" : "plugins", plugins_dir);
  printf ("%u %s, %u %s\n", n_files, n_files == 1 ? "file" : "files",
          n_errors, n_errors == 1 ? "error" : "errors");
}

gboolean
ctl_verb_workflow_validate (CtlContext *ctx, char **args, GError **error)
{
  static const char *const installed_dirs[] = {
    CASELINK_WORKFLOWS_DIR "/calendars",
    CASELINK_LOCAL_WORKFLOWS_DIR "/calendars",
  };
  Validation v = { 0 };
  g_autoptr(GHashTable) calendar_dirs = NULL;
  CLPlugins *plugins = NULL;
  guint n_plugins = 0;
  gboolean any_set_errors = FALSE;
  gboolean ok;

  if (ctx->plugins_dir != NULL && !g_file_test (ctx->plugins_dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *shown = g_filename_display_name (ctx->plugins_dir);
      ctl_set_usage_error (error, "--plugins %s: no such directory", shown);
      return FALSE;
    }

  v.default_calendar = ctx->calendar != NULL ? ctx->calendar : DEFAULT_CALENDAR;
  v.installed = name_set ();
  v.dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, dir_context_free);
  v.dir_order = g_ptr_array_new ();
  v.files = g_ptr_array_new_with_free_func (file_report_free);
  v.notes = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (installed_dirs); i++)
    add_calendars (&v, v.installed, installed_dirs[i]);
  /* caselinkd, given these directories, knows all their calendars (and
   * the calendar files named, which sit in such a calendars/) */
  calendar_dirs = name_set ();
  for (guint i = 0; args[i] != NULL; i++)
    {
      g_autofree char *dir = g_path_get_dirname (args[i]);
      g_autofree char *calendar_dir = path_in (dir, "calendars");
      char *seen = g_canonicalize_filename (calendar_dir, NULL);

      if (is_calendar_file (args[i]))
        {
          g_autoptr(GPtrArray) ignored = g_ptr_array_new_with_free_func (g_free);
          g_autoptr(CLCalendar) cal = cl_calendar_load_file (args[i], ignored);

          /* its errors are reported with the file, below */
          if (cal != NULL)
            g_hash_table_add (v.installed, g_strdup (cl_calendar_name (cal)));
        }
      else if (!g_hash_table_contains (calendar_dirs, seen))
        add_calendars (&v, v.installed, calendar_dir);
      g_hash_table_add (calendar_dirs, seen);
    }
  if (ctx->plugins_dir != NULL)
    plugins = probe_plugins (&v, ctx->plugins_dir, &n_plugins);

  /* Each file on its own, as the loader sees it; a file named twice once. */
  for (guint i = 0; args[i] != NULL; i++)
    {
      FileReport *fr;
      CLLoadOptions opts;

      if (is_named (&v, args[i]))
        continue;
      fr = g_new0 (FileReport, 1);
      fr->file = g_strdup (args[i]);
      fr->errors = g_ptr_array_new_with_free_func (g_free);
      if (is_calendar_file (args[i]))
        {
          g_autoptr(CLCalendar) cal = cl_calendar_load_file (fr->file, fr->errors);

          if (cal != NULL)
            fr->calendar = g_strdup (cl_calendar_name (cal));
          else if (fr->errors->len == 0)
            g_ptr_array_add (fr->errors, g_strdup_printf ("%s:1:1: does not load", fr->file));
          g_ptr_array_add (v.files, fr);
          continue;
        }
      fr->dir = dir_context_for (&v, args[i]);
      opts.calendars = fr->dir->calendars;
      opts.default_calendar = v.default_calendar;
      fr->wf = cl_workflow_load_file (fr->file, &opts, fr->errors);
      if (fr->wf == NULL && fr->errors->len == 0)
        g_ptr_array_add (fr->errors, g_strdup_printf ("%s:1:1: does not load", fr->file));
      /* Its hooks, against the plugins' (as caselinkd checks them after
       * loading), or listed as not checked. */
      if (fr->wf != NULL && plugins != NULL)
        fr->hook_errors = !cl_workflow_check_hooks (fr->wf, v.hooks, fr->errors);
      else if (fr->wf != NULL)
        note_unchecked_hooks (&v, fr);
      g_ptr_array_add (v.files, fr);
    }

  /* Then together, with their neighbours. */
  for (guint d = 0; d < v.dir_order->len; d++)
    load_context (&v, g_ptr_array_index (v.dir_order, d));
  for (guint i = 0; i < v.files->len; i++)
    {
      FileReport *fr = g_ptr_array_index (v.files, i);

      if (fr->wf == NULL)
        continue;
      check_in_set (&v, fr);
      any_set_errors |= fr->set_errors;
    }

  /* A neighbour that does not load may be the workflow a spawn misses. */
  if (any_set_errors)
    {
      for (guint d = 0; d < v.dir_order->len; d++)
        {
          DirContext *dc = g_ptr_array_index (v.dir_order, d);
          for (guint i = 0; i < dc->broken->len; i++)
            g_ptr_array_add (v.notes, g_strdup_printf ("%s, so the workflow it defines "
                                                       "is not in the set",
                                                       (char *) g_ptr_array_index (dc->broken, i)));
        }
    }

  if (ctx->json)
    print_json (&v, ctx->plugins_dir);
  else
    print_plain (&v, ctx->plugins_dir, n_plugins);

  ok = count_errors (&v) == 0;
  g_ptr_array_unref (v.files);
  g_ptr_array_unref (v.dir_order);
  g_hash_table_unref (v.dirs);
  g_hash_table_unref (v.installed);
  g_ptr_array_unref (v.notes);
  v.hooks = NULL;
  if (plugins != NULL)
    unload_plugins (plugins);
  if (!ok)
    ctl_set_error (error, CTL_ERROR_REPORTED, CTL_EXIT_FAILURE, "invalid workflow files");
  return ok;
}
