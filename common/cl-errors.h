/* cl-errors.h — the org.caselink.Error names (D-Bus API v1) and the GError
 * domain that carries them inside the daemon and the CLI. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_DBUS_NAME            "org.caselink"
#define CL_MANAGER_PATH         "/org/caselink"
#define CL_CASE_PATH_PREFIX     "/org/caselink/case"
#define CL_WORKFLOW_PATH_PREFIX "/org/caselink/workflow"
#define CL_MANAGER_IFACE        "org.caselink.Manager1"
#define CL_CASE_IFACE           "org.caselink.Case1"
#define CL_WORKFLOW_IFACE       "org.caselink.Workflow1"

typedef enum {
  CL_ERROR_FAILED,
  CL_ERROR_NOT_FOUND,
  CL_ERROR_INVALID_ARGS,
  CL_ERROR_INVALID_TRANSITION,
  CL_ERROR_MISSING_FIELD,
  CL_ERROR_PERMISSION_DENIED,
  CL_ERROR_REJECTED,
} CLError;

#define CL_ERROR (cl_error_quark ())
GQuark cl_error_quark (void);

/* "org.caselink.Error.NotFound" etc. */
const char *cl_error_to_dbus_name (CLError code);
/* Reverse mapping; returns FALSE for names outside org.caselink.Error. */
gboolean cl_error_from_dbus_name (const char *name, CLError *code);

G_END_DECLS
