/* ctl-error.c — error names, exit statuses. */
#include "ctl-error.h"

#include "cl-errors.h"

#include <string.h>

static const struct {
  const char *name;
  CtlExit exit_code;
} exit_map[] = {
  { "org.caselink.Error.NotFound", CTL_EXIT_NOT_FOUND },
  { "org.caselink.Error.PermissionDenied", CTL_EXIT_PERMISSION },
  { "org.freedesktop.DBus.Error.AccessDenied", CTL_EXIT_PERMISSION },
  { "org.caselink.Error.InvalidTransition", CTL_EXIT_REFUSED },
  { "org.caselink.Error.MissingField", CTL_EXIT_REFUSED },
  { "org.caselink.Error.Rejected", CTL_EXIT_REFUSED },
  /* The daemon's own InvalidArgs is about a value the user typed; the
   * freedesktop one means a malformed call, which is our bug: failure. */
  { "org.caselink.Error.InvalidArgs", CTL_EXIT_REFUSED },
  { CTL_ERROR_USAGE, CTL_EXIT_USAGE },
};

CtlExit
ctl_exit_for_dbus_error (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (exit_map); i++)
    {
      if (g_strcmp0 (name, exit_map[i].name) == 0)
        return exit_map[i].exit_code;
    }
  return CTL_EXIT_FAILURE;
}

static void
set_error_va (GError **error, const char *name, CtlExit exit_code,
              const char *format, va_list args) G_GNUC_PRINTF (4, 0);

static void
set_error_va (GError **error, const char *name, CtlExit exit_code,
              const char *format, va_list args)
{
  if (error == NULL)
    return;
  g_return_if_fail (*error == NULL);
  *error = g_error_new_valist (g_quark_from_string (name), exit_code, format, args);
}

void
ctl_set_error (GError **error, const char *name, CtlExit exit_code,
               const char *format, ...)
{
  va_list args;

  va_start (args, format);
  set_error_va (error, name, exit_code, format, args);
  va_end (args);
}

void
ctl_set_usage_error (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  set_error_va (error, CTL_ERROR_USAGE, CTL_EXIT_USAGE, format, args);
  va_end (args);
}

void
ctl_set_dbus_error (GError **error, const char *name, const char *message)
{
  if (name == NULL || *name == '\0')
    name = CTL_ERROR_FAILED;
  ctl_set_error (error, name, ctl_exit_for_dbus_error (name), "%s",
                 message != NULL && *message != '\0' ? message : name);
}

void
ctl_error_adopt (GError **error, GError *foreign)
{
  if (foreign == NULL)
    return;
  if (foreign->domain == CL_ERROR)
    ctl_set_dbus_error (error, cl_error_to_dbus_name ((CLError) foreign->code),
                        foreign->message);
  else
    ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE, "%s", foreign->message);
  g_error_free (foreign);
}

const char *
ctl_error_name (const GError *error)
{
  const char *name = g_quark_to_string (error->domain);

  /* A name always has a dot; anything else slipped past ctl_error_adopt(). */
  return name != NULL && strchr (name, '.') != NULL ? name : CTL_ERROR_FAILED;
}

CtlExit
ctl_error_exit (const GError *error)
{
  if (error->code >= CTL_EXIT_FAILURE && error->code <= CTL_EXIT_REFUSED
      && strchr (g_quark_to_string (error->domain), '.') != NULL)
    return (CtlExit) error->code;
  return CTL_EXIT_FAILURE;
}
