/* main.c — caselinkctl: command line, verb table, dispatch.
 *
 * One GOptionContext holds every option, global and per verb, so options may
 * come before or after the verb; the verb table then says which verb takes
 * which options and how many arguments. Everything that can be checked
 * without the bus is checked before connecting, so a usage error is exit 2
 * even when caselinkd is not running.
 */
#include "config.h"

#include "ctl.h"

#include "audit-chain.h"
#include "cl-dbus-glue.h"
#include "ctl-error.h"
#include "ctl-output.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

typedef enum {
  VERB_OPT_FIELDS = 1 << 0,   /* -f KEY=VALUE */
  VERB_OPT_COMMENT = 1 << 1,  /* -m COMMENT */
  VERB_OPT_FILTER = 1 << 2,   /* --workflow --state ... */
  VERB_OPT_OUTPUT = 1 << 3,   /* -o FILE */
  VERB_OPT_VALIDATE = 1 << 4, /* --plugins DIR --calendar NAME */
  VERB_OFFLINE = 1 << 5,      /* no bus: runs without caselinkd; its
                               * arguments are file names, kept as bytes */
  VERB_OPT_AUDIT = 1 << 6,    /* --head COUNT:HASH --db PATH; with --db it
                               * runs offline, as VERB_OFFLINE */
} VerbOptions;

typedef struct {
  const char *name;      /* one or two words: "workflow show" */
  const char *usage;     /* what follows the name; \n where help may wrap */
  guint min_args;
  guint max_args;
  VerbOptions options;
  CtlVerbFunc run;
  const char *help;      /* one line, for the verb list */
  const char *details;   /* more for `help VERB`, or NULL */
} CtlVerb;

static const CtlVerb verbs[] = {
  { "status", "", 0, 0, 0, ctl_verb_status,
    "Show version and counts of cases, workflows, plugins", NULL },
  { "workflows", "", 0, 0, 0, ctl_verb_workflows,
    "List the loaded workflows", NULL },
  { "workflow show", "NAME", 1, 1, 0, ctl_verb_workflow_show,
    "Show one workflow",
    "The title is shown in your language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG:\n"
    "zh_CN.UTF-8 picks the zh title, en_US.UTF-8 the en one) when the workflow\n"
    "has one; otherwise, and in the C locale, in caselinkd's deployment\n"
    "language. The same goes for the titles listed by workflows." },
  { "workflow graph", "NAME [-o FILE.svg|FILE.png|FILE.dot]", 1, 1, VERB_OPT_OUTPUT,
    ctl_verb_workflow_graph,
    "Draw a workflow's states and transitions",
    "Without -o the Graphviz DOT text is printed (with --json as {\"workflow\",\n"
    "\"dot\"}). -o FILE.dot writes it to FILE; -o FILE.svg and -o FILE.png have\n"
    "Graphviz' dot draw it, so graphviz must be installed. Titles are in the\n"
    "deployment language." },
  { "workflow validate", "[--plugins DIR] [--calendar NAME] FILE...",
    1, G_MAXUINT, VERB_OPT_VALIDATE | VERB_OFFLINE, ctl_verb_workflow_validate,
    "Check workflow files offline, as caselinkd loads them",
    "Needs neither caselinkd nor a bus. Every error is printed on standard\n"
    "output as FILE:LINE:COLUMN: message, then a line \"N files, M errors\";\n"
    "with --json one object {\"files\": [{\"file\", \"ok\", \"errors\", ...}],\n"
    "\"ok\"}. Exit status 0 when every FILE is valid, 1 otherwise.\n"
    "\n"
    "A deadline may name a calendar from calendars/ beside the FILE, from\n"
    CASELINK_WORKFLOWS_DIR "/calendars,\n"
    "from " CASELINK_LOCAL_WORKFLOWS_DIR "/calendars, or the\n"
    "built-in \"weekends\"; a deadline naming none uses --calendar (default\n"
    "cn, caselinkd's default [daemon] calendar). Spawn targets and id_prefix\n"
    "clashes are checked against all the FILEs and the other *.yaml files\n"
    "beside them, as caselinkd loads a directory; errors are reported for the\n"
    "FILEs named only (problems of the others show as notes on stderr).\n"
    "\n"
    "The plugin hooks a FILE names (guards:, actions:) are checked with\n"
    "--plugins DIR: the plugins in DIR (*.so, and one level of subdirectories)\n"
    "are loaded and initialised as caselinkd does, but run no hook. A hook\n"
    "none of them provides, or one of another kind (a validator named as a\n"
    "guard), is an error at the hook's FILE:LINE:COLUMN, as in caselinkd;\n"
    "a line \"hooks: N named, checked against P plugins loaded from DIR\"\n"
    "comes before the count, and plugins that do not load are notes with\n"
    "the reason. Without --plugins the hooks are not checked: each FILE's\n"
    "are listed in a note on stderr. Whether a version differs from the\n"
    "definition caselinkd stored under that number needs its database:\n"
    "caselinkd reports that when it loads the file." },
  { "plugins", "", 0, 0, 0, ctl_verb_plugins,
    "List plugins, loaded or not, and why not", NULL },
  { "create", "WORKFLOW [-f KEY=VALUE]...", 1, 1, VERB_OPT_FIELDS, ctl_verb_create,
    "Create a case and print its id",
    "The case starts in the workflow's initial state; every required field\n"
    "must be given." },
  { "list", "[--workflow W] [--state S] [--domain D] [--agency A]\n"
            "[--text T] [--overdue] [--limit N] [--after ID]",
    0, 0, VERB_OPT_FILTER, ctl_verb_list,
    "List cases, oldest first, a page at a time",
    "A page holds --limit cases (default 100, at most 10000); pass the last\n"
    "id shown as --after to get the next page." },
  { "show", "ID", 1, 1, 0, ctl_verb_show,
    "Show a case, its fields and its links",
    "Times are shown in the local time zone; a deadline of \"-\" means none,\n"
    "else it is followed by how far off it is and whether it was missed.\n"
    "Links list \"relation  id\" for each linked case; the other case lists\n"
    "the inverse relation (related_of). With --json, Links is an array of\n"
    "{\"relation\", \"id\", \"path\"}." },
  { "transitions", "ID", 1, 1, 0, ctl_verb_transitions,
    "List the transitions out of a case's state",
    "Titles are in caselinkd's deployment language." },
  { "advance", "ID TRANSITION [-f KEY=VALUE]... [-m COMMENT]", 2, 2,
    VERB_OPT_FIELDS | VERB_OPT_COMMENT, ctl_verb_advance,
    "Take a transition and print the new state",
    "Fields given with -f are merged into the case before the transition's\n"
    "requirements are checked." },
  { "update", "ID -f KEY=VALUE... [-m COMMENT]", 1, 1,
    VERB_OPT_FIELDS | VERB_OPT_COMMENT, ctl_verb_update,
    "Change fields without a transition", NULL },
  { "comment", "ID TEXT", 2, 2, 0, ctl_verb_comment,
    "Add a comment to a case's history", NULL },
  { "link", "ID OTHER_ID RELATION", 3, 3, 0, ctl_verb_link,
    "Link two cases",
    "ID gets a link to OTHER_ID under RELATION ([a-z][a-z0-9_]*, not ending\n"
    "in _of), and OTHER_ID one back to ID under RELATION_of; both cases'\n"
    "histories record it. Linking the same pair again is not an error.\n"
    "show lists the links." },
  { "history", "ID", 1, 1, 0, ctl_verb_history,
    "Show a case's history, oldest first", NULL },
  { "audit verify", "[--head COUNT:HASH] [--db PATH]", 0, 0, VERB_OPT_AUDIT,
    ctl_verb_audit_verify,
    "Check that no case history was altered or deleted",
    "Walks every case's hash chain and the global chain over all history\n"
    "rows (caselinkd's Manager1.VerifyAudit; on a big database this takes a\n"
    "while, so caselinkctl waits up to 10 minutes). Prints the report: \"ok:\n"
    "N history rows of M cases, head COUNT:HASH\", or \"BROKEN: \" and the\n"
    "first broken row (case id, row number), and exits 1; with --json\n"
    "{\"ok\": BOOL, \"report\": TEXT}.\n"
    "\n"
    "Rows deleted from the end of the history leave no gap; --head with a\n"
    "COUNT:HASH recorded earlier from audit head finds them too, and any\n"
    "change to the first COUNT rows. (0: is the head of an empty history\n"
    "and checks nothing more.)\n"
    "\n"
    "--db PATH reads the database file itself instead, read-only, with the\n"
    "same checks: no bus and no caselinkd needed (--system, --session and\n"
    "--address are not used), e.g. for a backup copy or a stopped daemon." },
  { "audit head", "", 0, 0, 0, ctl_verb_audit_head,
    "Print the audit head COUNT:HASH to record as a checkpoint",
    "COUNT is the number of history rows written so far and HASH the\n"
    "global chain's hash over all of them (Manager1.AuditHead); with --json\n"
    "{\"count\": N, \"hash\": TEXT}. Kept outside caselinkd's reach (another\n"
    "host, a ticket, paper), it lets audit verify --head COUNT:HASH find\n"
    "rows deleted from the end later." },
  { "watch", "", 0, 0, 0, ctl_verb_watch,
    "Print case events as they happen",
    "Prints CaseCreated, CaseAdvanced, DeadlineApproaching, DeadlineMissed,\n"
    "PropertiesChanged and Reloaded as caselinkd sends them; with --json one\n"
    "object per line.\n"
    "Stops on SIGINT (Ctrl+C) or SIGTERM with exit status 0." },
};

/* ---- options --------------------------------------------------------- */

static struct {
  gboolean system;
  gboolean session;
  char *address;
  gboolean json;
  gboolean help;
  gboolean version;
  char **fields;
  char *comment;
  char *workflow;
  char *state;
  char *domain;
  char *agency;
  char *text;
  char *limit;
  char *after;
  gboolean overdue;
  char *output;
  char *plugins;
  char *calendar;
  char *head;
  char *db;
  char **args;
} opt;

/* Strings are taken as bytes (FILENAME) and made UTF-8 by to_utf8():
 * GOption's own conversion refuses any non-ASCII text under the C locale,
 * which is what scripts and units often run with. */
static const GOptionEntry global_entries[] = {
  { "system", 0, 0, G_OPTION_ARG_NONE, &opt.system,
    "Talk to caselinkd on the system bus (the default)", NULL },
  { "session", 0, 0, G_OPTION_ARG_NONE, &opt.session,
    "Talk to caselinkd on the session bus", NULL },
  { "address", 0, 0, G_OPTION_ARG_FILENAME, &opt.address,
    "Talk to caselinkd on the bus at ADDR", "ADDR" },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt.json,
    "Print only JSON on stdout, errors included", NULL },
  { "help", 'h', 0, G_OPTION_ARG_NONE, &opt.help,
    "Show help (for VERB, if given)", NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt.version,
    "Show the version", NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt.args, NULL, NULL },
  { NULL }
};

static const GOptionEntry field_entries[] = {
  { "field", 'f', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt.fields,
    "Set field KEY to VALUE (repeatable)", "KEY=VALUE" },
  { NULL }
};

static const GOptionEntry comment_entries[] = {
  { "comment", 'm', 0, G_OPTION_ARG_FILENAME, &opt.comment,
    "Record COMMENT in the history entry", "COMMENT" },
  { NULL }
};

static const GOptionEntry filter_entries[] = {
  { "workflow", 0, 0, G_OPTION_ARG_FILENAME, &opt.workflow,
    "Only cases of workflow W", "W" },
  { "state", 0, 0, G_OPTION_ARG_FILENAME, &opt.state,
    "Only cases in state S", "S" },
  { "domain", 0, 0, G_OPTION_ARG_FILENAME, &opt.domain,
    "Only cases whose domain is D", "D" },
  { "agency", 0, 0, G_OPTION_ARG_FILENAME, &opt.agency,
    "Only cases held by agency A", "A" },
  { "text", 0, 0, G_OPTION_ARG_FILENAME, &opt.text,
    "Only cases whose title contains T", "T" },
  { "overdue", 0, 0, G_OPTION_ARG_NONE, &opt.overdue,
    "Only overdue cases", NULL },
  { "limit", 0, 0, G_OPTION_ARG_FILENAME, &opt.limit,
    "At most N cases (default 100)", "N" },
  { "after", 0, 0, G_OPTION_ARG_FILENAME, &opt.after,
    "Start after case ID (the last one of the previous page)", "ID" },
  { NULL }
};

static const GOptionEntry output_entries[] = {
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt.output,
    "Write the graph to FILE: .dot as is, .svg or .png drawn by dot", "FILE" },
  { NULL }
};

static const GOptionEntry validate_entries[] = {
  { "plugins", 0, 0, G_OPTION_ARG_FILENAME, &opt.plugins,
    "Check hook names against the plugins in DIR", "DIR" },
  { "calendar", 0, 0, G_OPTION_ARG_FILENAME, &opt.calendar,
    "Calendar of deadlines that name none (default cn)", "NAME" },
  { NULL }
};

static const GOptionEntry audit_entries[] = {
  { "head", 0, 0, G_OPTION_ARG_FILENAME, &opt.head,
    "Also check against a head recorded from audit head", "COUNT:HASH" },
  { "db", 0, 0, G_OPTION_ARG_FILENAME, &opt.db,
    "Read this database file offline, without caselinkd", "PATH" },
  { NULL }
};

static const char exit_status_text[] =
  "Field values given with -f are sent as strings; caselinkd converts them\n"
  "by the workflow's field types. With --json every verb prints only JSON on\n"
  "stdout, errors included as {\"error\": NAME, \"message\": TEXT} (workflow\n"
  "validate and audit verify print their report instead when what they\n"
  "check fails); watch prints one object per line.\n"
  "Otherwise errors go to stderr.\n"
  "\n"
  "Exit status:\n"
  "  0  success\n"
  "  1  failure (no bus, caselinkd not running or not answering, storage error;\n"
  "     workflow validate: a file has errors; audit verify: the history was\n"
  "     altered, or the --db file cannot be read)\n"
  "  2  usage error\n"
  "  3  not found (org.caselink.Error.NotFound)\n"
  "  4  permission denied (org.caselink.Error.PermissionDenied,\n"
  "     org.freedesktop.DBus.Error.AccessDenied)\n"
  "  5  refused (org.caselink.Error.InvalidTransition, MissingField, Rejected,\n"
  "     InvalidArgs)\n"
  "\n"
  "Run 'caselinkctl help VERB' or 'caselinkctl VERB --help' for one verb.";

static gboolean
to_utf8 (char **text, GError **error)
{
  char *converted;

  if (*text == NULL || g_utf8_validate (*text, -1, NULL))
    return TRUE;
  converted = g_locale_to_utf8 (*text, -1, NULL, NULL, NULL);
  if (converted == NULL)
    {
      g_autofree char *shown = g_utf8_make_valid (*text, -1);
      ctl_set_usage_error (error, "“%s” is not valid text in this locale", shown);
      return FALSE;
    }
  g_free (*text);
  *text = converted;
  return TRUE;
}

static gboolean
strv_to_utf8 (char **strv, GError **error)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    {
      if (!to_utf8 (&strv[i], error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
options_to_utf8 (GError **error)
{
  /* Not -o, --plugins and --db: file names stay as the file system has them. */
  char **strings[] = { &opt.comment, &opt.workflow, &opt.state, &opt.domain,
                       &opt.agency, &opt.text, &opt.limit, &opt.after, &opt.calendar,
                       &opt.head };

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      if (!to_utf8 (strings[i], error))
        return FALSE;
    }
  return strv_to_utf8 (opt.fields, error);
}

static void
options_clear (void)
{
  g_free (opt.address);
  g_strfreev (opt.fields);
  g_free (opt.comment);
  g_free (opt.workflow);
  g_free (opt.state);
  g_free (opt.domain);
  g_free (opt.agency);
  g_free (opt.text);
  g_free (opt.limit);
  g_free (opt.after);
  g_free (opt.output);
  g_free (opt.plugins);
  g_free (opt.calendar);
  g_free (opt.head);
  g_free (opt.db);
  g_strfreev (opt.args);
}

static gboolean
any_filter_given (void)
{
  return opt.workflow != NULL || opt.state != NULL || opt.domain != NULL
         || opt.agency != NULL || opt.text != NULL || opt.limit != NULL
         || opt.after != NULL || opt.overdue;
}

/* -f KEY=VALUE... as a{sv} of strings: the daemon coerces each value by the
 * workflow's field type, so the CLI needs no knowledge of workflows. A key
 * given twice keeps its last value. */
static GVariant *
fields_from_options (char **fields, GError **error)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      const char *eq = strchr (fields[i], '=');
      g_autofree char *key = NULL;

      if (eq == NULL || eq == fields[i])
        {
          g_variant_dict_clear (&dict);
          ctl_set_usage_error (error, "-f needs KEY=VALUE, not “%s”", fields[i]);
          return NULL;
        }
      key = g_strndup (fields[i], (gsize) (eq - fields[i]));
      g_variant_dict_insert_value (&dict, key, g_variant_new_string (eq + 1));
    }
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

/* ---- help -------------------------------------------------------------- */

static char *
verbs_summary (void)
{
  GString *out = g_string_new ("Control caselinkd, the case-linkage daemon.\n\nVerbs:");

  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      /* The list shows only the first line of a long usage. */
      g_autofree char *usage = g_strdup (verbs[i].usage);
      g_autofree char *synopsis = NULL;
      char *nl = strchr (usage, '\n');

      if (nl != NULL)
        strcpy (nl, " ...");  /* fits: "\n" plus at least one more char */
      synopsis = *usage != '\0' ? g_strdup_printf ("%s %s", verbs[i].name, usage)
                                : g_strdup (verbs[i].name);
      if (strlen (synopsis) <= 30)
        g_string_append_printf (out, "\n  %-30s  %s", synopsis, verbs[i].help);
      else
        g_string_append_printf (out, "\n  %s\n  %-30s  %s", synopsis, "", verbs[i].help);
    }
  g_string_append_printf (out, "\n  %-30s  %s", "help [VERB]", "Show this help, or help for VERB");
  return g_string_free (out, FALSE);
}

static void
print_entries (const GOptionEntry *entries)
{
  for (const GOptionEntry *e = entries; e->long_name != NULL; e++)
    {
      g_autofree char *spec = NULL;

      spec = g_strdup_printf ("%c%c%s--%s%s%s",
                              e->short_name != 0 ? '-' : ' ',
                              e->short_name != 0 ? e->short_name : ' ',
                              e->short_name != 0 ? ", " : "  ",
                              e->long_name,
                              e->arg_description != NULL ? "=" : "",
                              e->arg_description != NULL ? e->arg_description : "");
      printf ("  %-24s  %s\n", spec, e->description);
    }
}

/* A verb's usage on one line, for messages. */
static char *
usage_one_line (const CtlVerb *verb)
{
  g_auto(GStrv) lines = g_strsplit (verb->usage, "\n", -1);
  g_autofree char *usage = g_strjoinv (" ", lines);

  return *usage != '\0' ? g_strdup_printf ("%s %s", verb->name, usage)
                        : g_strdup (verb->name);
}

static void
print_verb_help (const CtlVerb *verb)
{
  g_auto(GStrv) lines = g_strsplit (verb->usage, "\n", -1);

  printf ("Usage:\n  caselinkctl [OPTION…] %s", verb->name);
  for (guint i = 0; lines[i] != NULL; i++)
    printf ("%s%s", i == 0 ? " " : "\n        ", lines[i]);
  printf ("\n\n%s.\n", verb->help);
  if (verb->details != NULL)
    printf ("\n%s\n", verb->details);
  if (verb->options != 0)
    {
      printf ("\nOptions:\n");
      if (verb->options & VERB_OPT_FIELDS)
        print_entries (field_entries);
      if (verb->options & VERB_OPT_COMMENT)
        print_entries (comment_entries);
      if (verb->options & VERB_OPT_FILTER)
        print_entries (filter_entries);
      if (verb->options & VERB_OPT_OUTPUT)
        print_entries (output_entries);
      if (verb->options & VERB_OPT_VALIDATE)
        print_entries (validate_entries);
      if (verb->options & VERB_OPT_AUDIT)
        print_entries (audit_entries);
    }
  if (verb->options & VERB_OPT_AUDIT)
    printf ("\nGlobal options: --system, --session, --address (not used with --db),\n"
            "--json; exit statuses: see caselinkctl --help.\n");
  else if (verb->options & VERB_OFFLINE)
    printf ("\nGlobal options: --json (--system, --session and --address are not\n"
            "used); exit statuses: see caselinkctl --help.\n");
  else
    printf ("\nGlobal options (--system, --session, --address, --json) and exit\n"
            "statuses: see caselinkctl --help.\n");
}

/* ---- dispatch ---------------------------------------------------------- */

/* The verb whose words start @args; @n_words says how many it used. */
static const CtlVerb *
find_verb (char **args, guint n_args, guint *n_words)
{
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      g_auto(GStrv) words = g_strsplit (verbs[i].name, " ", -1);
      guint n = g_strv_length (words);
      guint j;

      if (n > n_args)
        continue;
      for (j = 0; j < n && strcmp (words[j], args[j]) == 0; j++)
        ;
      if (j == n)
        {
          *n_words = n;
          return &verbs[i];
        }
    }
  return NULL;
}

static void
set_unknown_verb_error (char **args, guint n_args, GError **error)
{
  g_autoptr(GString) near = g_string_new (NULL);

  /* "workflow" alone or "workflow frob": list the verbs that start so. */
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      if (g_str_has_prefix (verbs[i].name, args[0])
          && verbs[i].name[strlen (args[0])] == ' ')
        g_string_append_printf (near, "%s%s%s%s", near->len > 0 ? ", " : "", verbs[i].name,
                                *verbs[i].usage != '\0' ? " " : "", verbs[i].usage);
    }
  if (near->len > 0)
    ctl_set_usage_error (error, "unknown verb “%s%s%s”; did you mean: %s",
                         args[0], n_args > 1 ? " " : "", n_args > 1 ? args[1] : "",
                         near->str);
  else
    ctl_set_usage_error (error, "unknown verb “%s” (see caselinkctl --help)", args[0]);
}

/* Options the verb does not take are an error, not silently ignored. */
static gboolean
check_verb_options (const CtlVerb *verb, GError **error)
{
  if (opt.fields != NULL && !(verb->options & VERB_OPT_FIELDS))
    {
      ctl_set_usage_error (error, "%s does not take -f", verb->name);
      return FALSE;
    }
  if (opt.comment != NULL && !(verb->options & VERB_OPT_COMMENT))
    {
      ctl_set_usage_error (error, "%s does not take -m", verb->name);
      return FALSE;
    }
  if (any_filter_given () && !(verb->options & VERB_OPT_FILTER))
    {
      ctl_set_usage_error (error, "only list takes --workflow, --state, --domain, "
                           "--agency, --text, --overdue, --limit and --after");
      return FALSE;
    }
  if (opt.output != NULL && !(verb->options & VERB_OPT_OUTPUT))
    {
      ctl_set_usage_error (error, "only workflow graph takes -o");
      return FALSE;
    }
  if ((opt.plugins != NULL || opt.calendar != NULL) && !(verb->options & VERB_OPT_VALIDATE))
    {
      ctl_set_usage_error (error, "only workflow validate takes --plugins and --calendar");
      return FALSE;
    }
  if ((opt.head != NULL || opt.db != NULL) && !(verb->options & VERB_OPT_AUDIT))
    {
      ctl_set_usage_error (error, "only audit verify takes --head and --db");
      return FALSE;
    }
  return TRUE;
}

/* Runs without the bus: always, or audit verify given --db. */
static gboolean
verb_is_offline (const CtlVerb *verb)
{
  return (verb->options & VERB_OFFLINE) || ((verb->options & VERB_OPT_AUDIT) && opt.db != NULL);
}

/* --head COUNT:HASH as caselinkd checks it, so that a malformed one is a
 * usage error before anything is read; "0:" (audit head of an empty
 * history) is as good as none. */
static gboolean
check_audit_head (CtlContext *ctx, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *hash = NULL;
  guint64 count;

  if (opt.head == NULL || strcmp (opt.head, "0:") == 0)
    return TRUE;
  if (!cl_audit_parse_head (opt.head, &count, &hash, &local_error))
    {
      ctl_set_usage_error (error, "--head: %s", local_error->message);
      return FALSE;
    }
  ctx->audit_head = opt.head;
  return TRUE;
}

/* Everything about the command line that needs no bus. */
static gboolean
prepare_context (const CtlVerb *verb, guint n_args, CtlContext *ctx, GError **error)
{
  if (n_args < verb->min_args || n_args > verb->max_args)
    {
      g_autofree char *usage = usage_one_line (verb);
      ctl_set_usage_error (error, "usage: caselinkctl %s (see caselinkctl help %s)",
                           usage, verb->name);
      return FALSE;
    }
  if (!check_verb_options (verb, error))
    return FALSE;
  /* Arguments are text to send, except an offline verb's file names. */
  if (!verb_is_offline (verb) && !strv_to_utf8 (opt.args, error))
    return FALSE;
  if (opt.output != NULL && ctl_graph_output_format (opt.output, error) == NULL)
    return FALSE;
  if (!check_audit_head (ctx, error))
    return FALSE;

  if (opt.fields != NULL)
    {
      ctx->fields = fields_from_options (opt.fields, error);
      if (ctx->fields == NULL)
        return FALSE;
    }
  else if (verb->run == ctl_verb_update)
    {
      ctl_set_usage_error (error, "update needs at least one -f KEY=VALUE");
      return FALSE;
    }

  if (opt.limit != NULL)
    {
      guint64 limit;

      if (!g_ascii_string_to_unsigned (opt.limit, 10, 0, G_MAXUINT64, &limit, NULL))
        {
          ctl_set_usage_error (error, "--limit needs a whole number (0 for the default, at most 10000), not “%s”",
                               opt.limit);
          return FALSE;
        }
      ctx->has_limit = TRUE;
      /* caselinkd clamps a page to 10,000 cases; so does a number too big
       * for its u argument */
      ctx->limit = (guint32) MIN (limit, G_MAXUINT32);
    }

  ctx->comment = opt.comment;
  ctx->workflow = opt.workflow;
  ctx->state = opt.state;
  ctx->domain = opt.domain;
  ctx->agency = opt.agency;
  ctx->text = opt.text;
  ctx->after = opt.after;
  ctx->overdue = opt.overdue;
  ctx->output = opt.output;
  ctx->plugins_dir = opt.plugins;
  ctx->calendar = opt.calendar;
  ctx->db_path = opt.db;
  return TRUE;
}

static DBusConnection *
connect_bus (GError **error)
{
  GError *local_error = NULL;
  DBusConnection *conn;

  if ((opt.system ? 1 : 0) + (opt.session ? 1 : 0) + (opt.address != NULL ? 1 : 0) > 1)
    {
      ctl_set_usage_error (error, "give only one of --system, --session and --address");
      return NULL;
    }
  conn = cl_dbus_open (opt.address, opt.session ? DBUS_BUS_SESSION : DBUS_BUS_SYSTEM,
                       &local_error);
  if (conn == NULL)
    {
      /* A client-side failure, not the daemon's org.caselink.Error.Failed. */
      ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE, "%s", local_error->message);
      g_error_free (local_error);
      return NULL;
    }
  cl_dbus_glue_attach (conn, NULL);
  return conn;
}

static void
disconnect_bus (DBusConnection *conn)
{
  cl_dbus_glue_detach (conn);
  dbus_connection_close (conn);
  dbus_connection_unref (conn);
}

/* Before GOption has run (or when it fails) we still want to know whether
 * the error should come out as JSON. */
static gboolean
argv_has_json (int argc, char **argv)
{
  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    {
      if (strcmp (argv[i], "--json") == 0)
        return TRUE;
    }
  return FALSE;
}

static int
run (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = verbs_summary ();
  CtlContext ctx = { 0 };
  const CtlVerb *verb = NULL;
  guint n_args, n_words = 0;
  gboolean json = argv_has_json (argc, argv);
  gboolean ok;

  context = g_option_context_new ("VERB [ARG…]");
  /* Our own --help, so that `caselinkctl VERB --help` can be about VERB. */
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, global_entries, NULL);
  g_option_context_add_main_entries (context, field_entries, NULL);
  g_option_context_add_main_entries (context, comment_entries, NULL);
  g_option_context_add_main_entries (context, filter_entries, NULL);
  g_option_context_add_main_entries (context, output_entries, NULL);
  g_option_context_add_main_entries (context, validate_entries, NULL);
  g_option_context_add_main_entries (context, audit_entries, NULL);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, exit_status_text);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      GError *usage = NULL;
      ctl_set_usage_error (&usage, "%s (see caselinkctl --help)", error->message);
      g_clear_error (&error);
      error = usage;
      goto fail;
    }
  json = opt.json;
  if (!options_to_utf8 (&error))
    goto fail;

  if (opt.version)
    {
      if (opt.json)
        ctl_print_json_strings ("version", PACKAGE_VERSION, NULL);
      else
        printf ("caselinkctl %s\n", PACKAGE_VERSION);
      return CTL_EXIT_OK;
    }

  n_args = opt.args != NULL ? g_strv_length (opt.args) : 0;
  if (n_args > 0 && strcmp (opt.args[0], "help") == 0)
    {
      opt.help = TRUE;
      n_args--;
      g_free (opt.args[0]);
      memmove (opt.args, opt.args + 1, (n_args + 1) * sizeof (char *));
    }
  if (n_args == 0)
    {
      if (opt.help)
        {
          g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
          printf ("%s", help);
          return CTL_EXIT_OK;
        }
      ctl_set_usage_error (&error, "no verb given (see caselinkctl --help)");
      goto fail;
    }

  verb = find_verb (opt.args, n_args, &n_words);
  if (verb == NULL)
    {
      if (strv_to_utf8 (opt.args, &error))
        set_unknown_verb_error (opt.args, n_args, &error);
      goto fail;
    }
  if (opt.help)
    {
      print_verb_help (verb);
      return CTL_EXIT_OK;
    }

  ctx.json = opt.json;
  if (!prepare_context (verb, n_args - n_words, &ctx, &error))
    goto fail;
  if (verb_is_offline (verb))
    {
      ok = verb->run (&ctx, opt.args + n_words, &error);
      if (ok)
        return CTL_EXIT_OK;
      goto fail;
    }
  ctx.conn = connect_bus (&error);
  if (ctx.conn == NULL)
    goto fail;
  ok = verb->run (&ctx, opt.args + n_words, &error);
  disconnect_bus (ctx.conn);
  g_clear_pointer (&ctx.fields, g_variant_unref);
  if (ok)
    return CTL_EXIT_OK;

fail:
  g_clear_pointer (&ctx.fields, g_variant_unref);
  /* A verb that printed its own report of what failed says so. */
  if (strcmp (ctl_error_name (error), CTL_ERROR_REPORTED) != 0)
    ctl_print_error (error, json);
  return ctl_error_exit (error);
}

int
main (int argc, char **argv)
{
  int status;

  setlocale (LC_ALL, "");
  g_set_prgname ("caselinkctl");

  status = run (argc, argv);
  options_clear ();

  /* Output that never arrived is a failure too (disk full, closed pipe). */
  if (fflush (stdout) != 0 || ferror (stdout))
    {
      if (errno != EPIPE)
        fprintf (stderr, "caselinkctl: cannot write output: %s\n", g_strerror (errno));
      if (status == CTL_EXIT_OK)
        status = CTL_EXIT_FAILURE;
    }
  return status;
}
