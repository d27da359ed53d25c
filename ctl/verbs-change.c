/* verbs-change.c — create, advance, update, comment, link: changing cases. */
#include "ctl.h"

#include "cl-errors.h"
#include "ctl-bus.h"
#include "ctl-error.h"
#include "ctl-output.h"

#include <stdio.h>

/* The a{sv} to send: -f's fields, or none. */
static GVariant *
fields_arg (CtlContext *ctx)
{
  if (ctx->fields != NULL)
    return ctx->fields;
  return g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0);
}

gboolean
ctl_verb_create (CtlContext *ctx, char **args, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  const char *id;
  const char *path;

  reply = ctl_bus_call (ctx->conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                        g_variant_new ("(s@a{sv})", args[0], fields_arg (ctx)), "(so)", error);
  if (reply == NULL)
    return FALSE;

  g_variant_get (reply, "(&s&o)", &id, &path);
  if (ctx->json)
    ctl_print_json_strings ("id", id, "path", path, NULL);
  else
    printf ("%s\n", id);  /* just the id: id=$(caselinkctl create ...) */
  return TRUE;
}

gboolean
ctl_verb_advance (CtlContext *ctx, char **args, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *state;

  path = ctl_bus_get_case_path (ctx->conn, args[0], error);
  if (path == NULL)
    return FALSE;
  reply = ctl_bus_call (ctx->conn, path, CL_CASE_IFACE, "Advance",
                        g_variant_new ("(s@a{sv}s)", args[1], fields_arg (ctx),
                                       ctx->comment != NULL ? ctx->comment : ""),
                        "(s)", error);
  if (reply == NULL)
    return FALSE;

  g_variant_get (reply, "(&s)", &state);
  if (ctx->json)
    ctl_print_json_strings ("id", args[0], "state", state, NULL);
  else
    printf ("%s\n", state);
  return TRUE;
}

gboolean
ctl_verb_update (CtlContext *ctx, char **args, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;

  path = ctl_bus_get_case_path (ctx->conn, args[0], error);
  if (path == NULL)
    return FALSE;
  reply = ctl_bus_call (ctx->conn, path, CL_CASE_IFACE, "Update",
                        g_variant_new ("(@a{sv}s)", fields_arg (ctx),
                                       ctx->comment != NULL ? ctx->comment : ""),
                        "()", error);
  if (reply == NULL)
    return FALSE;

  /* Quiet on success, like most Unix tools; --json still says something. */
  if (ctx->json)
    ctl_print_json_strings ("id", args[0], NULL);
  return TRUE;
}

gboolean
ctl_verb_comment (CtlContext *ctx, char **args, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;

  path = ctl_bus_get_case_path (ctx->conn, args[0], error);
  if (path == NULL)
    return FALSE;
  reply = ctl_bus_call (ctx->conn, path, CL_CASE_IFACE, "Comment",
                        g_variant_new ("(s)", args[1]), "()", error);
  if (reply == NULL)
    return FALSE;
  if (ctx->json)
    ctl_print_json_strings ("id", args[0], NULL);
  return TRUE;
}

gboolean
ctl_verb_link (CtlContext *ctx, char **args, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;

  path = ctl_bus_get_case_path (ctx->conn, args[0], error);
  if (path == NULL)
    return FALSE;
  reply = ctl_bus_call (ctx->conn, path, CL_CASE_IFACE, "Link",
                        g_variant_new ("(ss)", args[1], args[2]), "()", error);
  if (reply == NULL)
    return FALSE;
  /* Quiet like update and comment; `show` lists the links both ways. */
  if (ctx->json)
    ctl_print_json_strings ("id", args[0], "other_id", args[1],
                            "relation", args[2], NULL);
  return TRUE;
}
