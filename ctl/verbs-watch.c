/* verbs-watch.c — watch: subscribe and print case signals until SIGINT or
 * SIGTERM.
 *
 * Case signals are unicast to subscribers (so no match rule is needed for
 * them); Reloaded is broadcast and needs one. If caselinkd restarts, the
 * subscription is renewed with the new instance instead of going quiet.
 */
#include "ctl.h"

#include "cl-errors.h"
#include "ctl-bus.h"
#include "ctl-dict.h"
#include "ctl-error.h"
#include "ctl-output.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BUS_NAME  "org.freedesktop.DBus"
#define BUS_PATH  "/org/freedesktop/DBus"
#define BUS_IFACE "org.freedesktop.DBus"
#define PROPERTIES_IFACE "org.freedesktop.DBus.Properties"

typedef struct {
  CtlContext *ctx;
  GMainLoop *loop;
  char *owner;      /* unique name of org.caselink; NULL while unknown */
  gboolean lost;    /* caselinkd left the bus since we subscribed */
  gboolean quit;    /* SIGINT/SIGTERM came, perhaps before the loop ran */
  GError *error;    /* why the watch ended, if not by a signal */
} Watch;

static void
watch_fail (Watch *w, GError *error)
{
  if (w->error == NULL)
    w->error = error;
  else
    g_error_free (error);
  g_main_loop_quit (w->loop);
}

/* The id inside a case object path, for display: the path element with
 * each _xx escape turned back into its byte (architecture.md, Object
 * paths). NULL for any other path. */
static char *
case_id_from_path (const char *path)
{
  const char *prefix = CL_CASE_PATH_PREFIX "/";
  g_autoptr(GString) id = NULL;
  const char *p;

  if (!g_str_has_prefix (path, prefix))
    return NULL;
  p = path + strlen (prefix);
  if (*p == '\0' || strchr (p, '/') != NULL)
    return NULL;
  id = g_string_new (NULL);
  for (; *p != '\0'; p++)
    {
      if (*p == '_' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
        {
          g_string_append_c (id, (char) (g_ascii_xdigit_value (p[1]) * 16
                                         + g_ascii_xdigit_value (p[2])));
          p += 2;
        }
      else
        g_string_append_c (id, *p);
    }
  if (!g_utf8_validate (id->str, -1, NULL))
    return NULL;
  return g_string_free (g_steal_pointer (&id), FALSE);
}

/* Property values as people read them: the time properties as times. */
static char *
format_property (const char *name, GVariant *value)
{
  static const char *const times[] = { "Created", "Updated", "Deadline", NULL };
  g_autoptr(GVariant) inner = g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT)
                              ? g_variant_get_variant (value) : g_variant_ref (value);

  if (g_strv_contains (times, name) && g_variant_is_of_type (inner, G_VARIANT_TYPE_INT64))
    return ctl_format_time (g_variant_get_int64 (inner));
  if (g_variant_is_of_type (inner, G_VARIANT_TYPE ("a(sss)")))
    {
      /* Links: "related FX-2026-000002, related_of FX-2026-000007" */
      GString *out = g_string_new (NULL);

      for (gsize i = 0; i < g_variant_n_children (inner); i++)
        {
          const char *relation, *id;
          g_variant_get_child (inner, i, "(&s&s&s)", &relation, &id, NULL);
          g_string_append_printf (out, "%s%s %s", i > 0 ? ", " : "", relation, id);
        }
      return g_string_free (out, FALSE);
    }
  if (g_variant_is_of_type (inner, G_VARIANT_TYPE ("a{s*}")))
    {
      g_autofree char *text = ctl_format_value (inner);
      return g_strdup_printf ("{%s}", text);
    }
  return ctl_format_value (inner);
}

/* g_ptr_array_sort hands over pointers to the elements. */
static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static char *
describe_properties (GVariant *changed, GVariant *invalidated)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GVariantIter iter;
  const char *name;

  g_variant_iter_init (&iter, changed);
  while (g_variant_iter_next (&iter, "{&sv}", &name, NULL))
    g_ptr_array_add (names, (gpointer) name);
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *prop = g_ptr_array_index (names, i);
      g_autoptr(GVariant) value = g_variant_lookup_value (changed, prop, NULL);
      g_autofree char *text = format_property (prop, value);

      g_string_append_printf (out, "%s%s=%s", i > 0 ? ", " : "", prop, text);
    }
  if (g_variant_n_children (invalidated) > 0)
    {
      g_autofree char *list = ctl_format_value (invalidated);
      g_string_append_printf (out, "%s(invalidated: %s)", out->len > 0 ? " " : "", list);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
print_event (Watch *w, const char *signal_name, const char *path,
             GVariant *args)
{
  g_autofree char *id = path != NULL ? case_id_from_path (path) : NULL;
  gint64 now = g_get_real_time ();

  if (w->ctx->json)
    {
      g_autoptr(CtlJson) object = ctl_json_object_new ();

      ctl_json_object_set_string (object, "signal", signal_name);
      ctl_json_object_set_int (object, "received", now);
      if (g_variant_is_of_type (args, G_VARIANT_TYPE ("(sos)")))
        {
          const char *case_id, *case_path, *workflow;
          g_variant_get (args, "(&s&o&s)", &case_id, &case_path, &workflow);
          ctl_json_object_set_string (object, "id", case_id);
          ctl_json_object_set_string (object, "path", case_path);
          ctl_json_object_set_string (object, "workflow", workflow);
        }
      else if (g_variant_is_of_type (args, G_VARIANT_TYPE ("(sosss)")))
        {
          const char *case_id, *case_path, *transition, *from, *to;
          g_variant_get (args, "(&s&o&s&s&s)", &case_id, &case_path, &transition, &from, &to);
          ctl_json_object_set_string (object, "id", case_id);
          ctl_json_object_set_string (object, "path", case_path);
          ctl_json_object_set_string (object, "transition", transition);
          ctl_json_object_set_string (object, "from", from);
          ctl_json_object_set_string (object, "to", to);
        }
      else if (g_variant_is_of_type (args, G_VARIANT_TYPE ("(sosx)")))
        {
          /* DeadlineApproaching and DeadlineMissed */
          const char *case_id, *case_path, *state;
          gint64 deadline;
          g_variant_get (args, "(&s&o&sx)", &case_id, &case_path, &state, &deadline);
          ctl_json_object_set_string (object, "id", case_id);
          ctl_json_object_set_string (object, "path", case_path);
          ctl_json_object_set_string (object, "state", state);
          ctl_json_object_set_int (object, "deadline", deadline);
        }
      else if (g_variant_is_of_type (args, G_VARIANT_TYPE ("(sa{sv}as)")))
        {
          g_autoptr(GVariant) changed = g_variant_get_child_value (args, 1);
          g_autoptr(GVariant) invalidated = g_variant_get_child_value (args, 2);
          g_autoptr(GVariant) links = g_variant_lookup_value (changed, "Links", NULL);
          CtlJson *changed_node = ctl_json_from_variant (changed);
          CtlJson *links_node;
          const char *iface;

          /* Links as `show --json` has them: [{relation, id, path}]. */
          if (links != NULL && g_variant_is_of_type (links, G_VARIANT_TYPE_VARIANT))
            {
              GVariant *inner = g_variant_get_variant (links);
              g_variant_unref (links);
              links = inner;
            }
          links_node = ctl_json_links (links);
          if (links_node != NULL)
            ctl_json_object_set (changed_node, "Links", links_node);

          g_variant_get_child (args, 0, "&s", &iface);
          ctl_json_object_set_string (object, "path", path);
          if (id != NULL)
            ctl_json_object_set_string (object, "id", id);
          ctl_json_object_set_string (object, "interface", iface);
          ctl_json_object_set (object, "changed", changed_node);
          ctl_json_object_set (object, "invalidated", ctl_json_from_variant (invalidated));
        }
      else if (g_variant_n_children (args) > 0)
        ctl_json_object_set (object, "args", ctl_json_from_variant (args));
      ctl_print_json (object, TRUE);
    }
  else
    {
      g_autofree char *when = ctl_format_time (now);
      g_autofree char *details = NULL;
      g_autofree char *line = NULL;
      g_autofree char *clean = NULL;

      if (g_variant_is_of_type (args, G_VARIANT_TYPE ("(sos)")))
        {
          const char *case_id, *workflow;
          g_variant_get (args, "(&s&o&s)", &case_id, NULL, &workflow);
          details = g_strdup_printf ("%s workflow=%s", case_id, workflow);
        }
      else if (g_variant_is_of_type (args, G_VARIANT_TYPE ("(sosss)")))
        {
          const char *case_id, *transition, *from, *to;
          g_variant_get (args, "(&s&o&s&s&s)", &case_id, NULL, &transition, &from, &to);
          details = g_strdup_printf ("%s %s: %s → %s", case_id, transition, from, to);
        }
      else if (g_variant_is_of_type (args, G_VARIANT_TYPE ("(sosx)")))
        {
          const char *case_id, *state;
          gint64 deadline;
          g_autofree char *due = NULL;
          g_variant_get (args, "(&s&o&sx)", &case_id, NULL, &state, &deadline);
          due = ctl_format_time (deadline);
          details = g_strdup_printf ("%s state=%s deadline=%s", case_id, state, due);
        }
      else if (g_variant_is_of_type (args, G_VARIANT_TYPE ("(sa{sv}as)")))
        {
          g_autoptr(GVariant) changed = g_variant_get_child_value (args, 1);
          g_autoptr(GVariant) invalidated = g_variant_get_child_value (args, 2);
          g_autofree char *props = describe_properties (changed, invalidated);
          details = g_strdup_printf ("%s %s", id != NULL ? id : path, props);
        }
      else if (g_variant_n_children (args) > 0)
        details = g_variant_print (args, FALSE);

      line = g_strdup_printf ("%s %s%s%s", when, signal_name,
                              details != NULL ? " " : "",
                              details != NULL ? details : "");
      clean = ctl_sanitize (line);
      printf ("%s\n", clean);
    }
  /* Someone is probably piping this into another program: don't sit on it. */
  fflush (stdout);
}

static void
resubscribed (GVariant *reply, const GError *error, gpointer user_data)
{
  Watch *w = user_data;

  if (error != NULL)
    {
      watch_fail (w, g_error_copy (error));
      return;
    }
  fprintf (stderr, "caselinkctl: caselinkd is back; watching again\n");
}

static void
owner_changed (Watch *w, DBusMessage *msg)
{
  const char *name, *old_owner, *new_owner;
  g_autoptr(GError) error = NULL;

  if (!dbus_message_get_args (msg, NULL, DBUS_TYPE_STRING, &name,
                              DBUS_TYPE_STRING, &old_owner,
                              DBUS_TYPE_STRING, &new_owner, DBUS_TYPE_INVALID)
      || strcmp (name, CL_DBUS_NAME) != 0)
    return;

  g_free (w->owner);
  w->owner = *new_owner != '\0' ? g_strdup (new_owner) : NULL;
  if (*new_owner == '\0')
    {
      w->lost = TRUE;
      fprintf (stderr, "caselinkctl: caselinkd left the bus; waiting for it to return\n");
      return;
    }
  /* A new instance knows nothing of our subscription. (When our own
   * Subscribe started the daemon by activation, it already has it.) */
  if (w->lost || *old_owner != '\0')
    {
      w->lost = FALSE;
      if (!ctl_bus_call_async (w->ctx->conn, CL_DBUS_NAME, CL_MANAGER_PATH,
                               CL_MANAGER_IFACE, "Subscribe", NULL, "()",
                               resubscribed, w, &error))
        watch_fail (w, g_steal_pointer (&error));
    }
}

static DBusHandlerResult
watch_filter (DBusConnection *conn, DBusMessage *msg, void *user_data)
{
  static const char *const manager_signals[] = {
    "CaseCreated", "CaseAdvanced", "DeadlineApproaching", "DeadlineMissed",
    "Reloaded", NULL
  };
  Watch *w = user_data;
  const char *sender = dbus_message_get_sender (msg);
  const char *iface = dbus_message_get_interface (msg);
  const char *member = dbus_message_get_member (msg);
  const char *path = dbus_message_get_path (msg);
  g_autoptr(GVariant) args = NULL;

  if (dbus_message_get_type (msg) != DBUS_MESSAGE_TYPE_SIGNAL)
    return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;

  if (dbus_message_is_signal (msg, DBUS_INTERFACE_LOCAL, "Disconnected"))
    {
      GError *error = NULL;
      ctl_set_error (&error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                     "lost the connection to the bus");
      watch_fail (w, error);
      return DBUS_HANDLER_RESULT_HANDLED;
    }
  if (dbus_message_is_signal (msg, BUS_IFACE, "NameOwnerChanged")
      && g_strcmp0 (sender, BUS_NAME) == 0)
    {
      owner_changed (w, msg);
      return DBUS_HANDLER_RESULT_HANDLED;
    }

  /* Only caselinkd's own signals: anyone may send us a unicast signal. */
  if (w->owner != NULL && g_strcmp0 (sender, w->owner) != 0)
    return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
  if (path == NULL || !g_str_has_prefix (path, CL_MANAGER_PATH))
    return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
  if (!((g_strcmp0 (iface, CL_MANAGER_IFACE) == 0 && g_strv_contains (manager_signals, member))
        || (g_strcmp0 (iface, PROPERTIES_IFACE) == 0 && g_strcmp0 (member, "PropertiesChanged") == 0)))
    return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;

  args = ctl_bus_message_args (msg, NULL);
  if (args != NULL)
    print_event (w, member, path, args);
  return DBUS_HANDLER_RESULT_HANDLED;
}

static gboolean
on_quit_signal (gpointer user_data)
{
  Watch *w = user_data;

  w->quit = TRUE;
  g_main_loop_quit (w->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
add_match (CtlContext *ctx, const char *rule, GError **error)
{
  g_autoptr(GVariant) reply = NULL;

  reply = ctl_bus_call_full (ctx->conn, BUS_NAME, BUS_PATH, BUS_IFACE, "AddMatch",
                             g_variant_new ("(s)", rule), "()", error);
  return reply != NULL;
}

gboolean
ctl_verb_watch (CtlContext *ctx, char **args, GError **error)
{
  Watch w = { 0 };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) owner_error = NULL;
  guint sigint_id, sigterm_id;
  gboolean ok = FALSE;

  w.ctx = ctx;
  w.loop = g_main_loop_new (NULL, FALSE);
  /* Before anything is sent, so that no signal slips by unseen. */
  if (!dbus_connection_add_filter (ctx->conn, watch_filter, &w, NULL))
    g_error ("out of memory");
  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, &w);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, &w);

  if (!add_match (ctx, "type='signal',sender='" CL_DBUS_NAME "',"
                       "interface='" CL_MANAGER_IFACE "'", error)
      || !add_match (ctx, "type='signal',sender='" BUS_NAME "',interface='" BUS_IFACE "',"
                          "member='NameOwnerChanged',arg0='" CL_DBUS_NAME "'", error))
    goto out;

  reply = ctl_bus_call (ctx->conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "Subscribe",
                        NULL, "()", error);
  if (reply == NULL)
    goto out;
  g_clear_pointer (&reply, g_variant_unref);

  /* Who caselinkd is now; NameOwnerChanged keeps it current from here. */
  reply = ctl_bus_call_full (ctx->conn, BUS_NAME, BUS_PATH, BUS_IFACE, "GetNameOwner",
                             g_variant_new ("(s)", CL_DBUS_NAME), "(s)", &owner_error);
  if (reply != NULL && w.owner == NULL)
    g_variant_get (reply, "(s)", &w.owner);

  if (!ctx->json && isatty (STDOUT_FILENO))
    fprintf (stderr, "Watching caselinkd; press Ctrl+C to stop.\n");
  if (!w.quit)
    g_main_loop_run (w.loop);

  if (w.error != NULL)
    g_propagate_error (error, g_steal_pointer (&w.error));
  else
    ok = TRUE;

out:
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  dbus_connection_remove_filter (ctx->conn, watch_filter, &w);
  g_clear_error (&w.error);
  g_free (w.owner);
  g_main_loop_unref (w.loop);
  return ok;
}
