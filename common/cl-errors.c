/* cl-errors.c — error domain and D-Bus error names. */
#include "cl-errors.h"

G_DEFINE_QUARK (caselink-error-quark, cl_error)

static const char *const error_names[] = {
  [CL_ERROR_FAILED] = "org.caselink.Error.Failed",
  [CL_ERROR_NOT_FOUND] = "org.caselink.Error.NotFound",
  [CL_ERROR_INVALID_ARGS] = "org.caselink.Error.InvalidArgs",
  [CL_ERROR_INVALID_TRANSITION] = "org.caselink.Error.InvalidTransition",
  [CL_ERROR_MISSING_FIELD] = "org.caselink.Error.MissingField",
  [CL_ERROR_PERMISSION_DENIED] = "org.caselink.Error.PermissionDenied",
  [CL_ERROR_REJECTED] = "org.caselink.Error.Rejected",
};

const char *
cl_error_to_dbus_name (CLError code)
{
  if ((guint) code >= G_N_ELEMENTS (error_names))
    return error_names[CL_ERROR_FAILED];
  return error_names[code];
}

gboolean
cl_error_from_dbus_name (const char *name, CLError *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_names); i++)
    {
      if (g_strcmp0 (name, error_names[i]) == 0)
        {
          *code = (CLError) i;
          return TRUE;
        }
    }
  return FALSE;
}
