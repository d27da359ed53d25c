/* ctl.h — what every caselinkctl verb gets: the connection and the parsed
 * command line, and the verbs main.c's table points at. */
#pragma once

#include <dbus/dbus.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  DBusConnection *conn;
  gboolean json;

  /* -f KEY=VALUE... as a{sv} of strings (create, advance, update; NULL
   * when none was given) and -m COMMENT (advance, update) */
  GVariant *fields;
  const char *comment;

  /* list filter */
  const char *workflow;
  const char *state;
  const char *domain;
  const char *agency;
  const char *text;
  const char *after;
  gboolean overdue;
  gboolean has_limit;
  guint32 limit;

  /* workflow graph -o FILE (NULL: DOT on stdout) */
  const char *output;

  /* workflow validate --plugins DIR, --calendar NAME (NULL when not
   * given); file names are bytes, as the file system has them */
  const char *plugins_dir;
  const char *calendar;

  /* audit verify --head COUNT:HASH (NULL: none; already checked) and
   * --db PATH (bytes; NULL: ask caselinkd over the bus, else ctx->conn is
   * NULL and the file is read offline) */
  const char *audit_head;
  const char *db_path;
} CtlContext;

/* @args: the positional arguments after the verb's words, NULL-terminated,
 * already counted against the verb table. */
typedef gboolean (*CtlVerbFunc) (CtlContext *ctx, char **args, GError **error);

/* verbs-manager.c */
gboolean ctl_verb_status (CtlContext *ctx, char **args, GError **error);
gboolean ctl_verb_workflows (CtlContext *ctx, char **args, GError **error);
gboolean ctl_verb_workflow_show (CtlContext *ctx, char **args, GError **error);
gboolean ctl_verb_plugins (CtlContext *ctx, char **args, GError **error);

/* verbs-graph.c */
gboolean ctl_verb_workflow_graph (CtlContext *ctx, char **args, GError **error);
/* The dot -T format for -o @file ("svg", "png"), "dot" for DOT itself; a
 * usage error for any other extension. */
const char *ctl_graph_output_format (const char *file, GError **error);

/* verbs-validate.c: offline, no bus (ctx->conn is NULL) */
gboolean ctl_verb_workflow_validate (CtlContext *ctx, char **args, GError **error);

/* verbs-case.c: reading cases */
gboolean ctl_verb_list (CtlContext *ctx, char **args, GError **error);
gboolean ctl_verb_show (CtlContext *ctx, char **args, GError **error);
gboolean ctl_verb_transitions (CtlContext *ctx, char **args, GError **error);
gboolean ctl_verb_history (CtlContext *ctx, char **args, GError **error);

/* verbs-change.c: changing cases */
gboolean ctl_verb_create (CtlContext *ctx, char **args, GError **error);
gboolean ctl_verb_advance (CtlContext *ctx, char **args, GError **error);
gboolean ctl_verb_update (CtlContext *ctx, char **args, GError **error);
gboolean ctl_verb_comment (CtlContext *ctx, char **args, GError **error);
gboolean ctl_verb_link (CtlContext *ctx, char **args, GError **error);

/* verbs-audit.c: tamper evidence of the history */
gboolean ctl_verb_audit_verify (CtlContext *ctx, char **args, GError **error);
gboolean ctl_verb_audit_head (CtlContext *ctx, char **args, GError **error);

/* verbs-watch.c */
gboolean ctl_verb_watch (CtlContext *ctx, char **args, GError **error);

G_END_DECLS
