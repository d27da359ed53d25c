/* ctl-error.h — how caselinkctl carries a failure from a verb to its exit.
 *
 * Every error a verb returns names what went wrong the way D-Bus does, so
 * that `--json` can print it unchanged: the GError's domain is the quark of
 * the error name ("org.caselink.Error.NotFound", or one of the local names
 * below) and its code is the exit status. Errors from elsewhere (GLib,
 * common/) are converted once, where they enter, by ctl_error_adopt().
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CTL_EXIT_OK = 0,
  CTL_EXIT_FAILURE = 1,
  CTL_EXIT_USAGE = 2,
  CTL_EXIT_NOT_FOUND = 3,
  CTL_EXIT_PERMISSION = 4,
  CTL_EXIT_REFUSED = 5,
} CtlExit;

/* Names for failures caselinkctl finds itself (bad command line, no bus). */
#define CTL_ERROR_USAGE   "org.caselink.ctl.Error.Usage"
#define CTL_ERROR_FAILED  "org.caselink.ctl.Error.Failed"
/* A failure the verb has already reported in its own output (workflow
 * validate's list of errors): exit 1, and nothing more is printed. */
#define CTL_ERROR_REPORTED "org.caselink.ctl.Error.Reported"

/* The exit status for a D-Bus error name. */
CtlExit ctl_exit_for_dbus_error (const char *name);

void ctl_set_error (GError **error, const char *name, CtlExit exit_code,
                    const char *format, ...) G_GNUC_PRINTF (4, 5);
void ctl_set_usage_error (GError **error, const char *format, ...)
  G_GNUC_PRINTF (2, 3);
/* A D-Bus error reply: its exit status follows from its name. */
void ctl_set_dbus_error (GError **error, const char *name, const char *message);
/* Turn a foreign GError into ours (takes @foreign). */
void ctl_error_adopt (GError **error, GError *foreign);

const char *ctl_error_name (const GError *error);
CtlExit ctl_error_exit (const GError *error);

G_END_DECLS
