/* ctl-run.h — caselinkctl run as a whole process by the tests of its verbs:
 * its exit status and output. */
#pragma once

#include <glib.h>

typedef struct {
  int status;
  char *out;
  char *err;
} ClCtlRun;

void cl_ctl_run_clear (ClCtlRun *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClCtlRun, cl_ctl_run_clear)

/* $CASELINKCTL names an executable (else says SKIP: the test exits 77). */
gboolean cl_ctl_available (void);
/* $CASELINKCTL @args (NULL-terminated) in @cwd (NULL: ours) with @envp
 * (NULL: ours); asserts it exited. */
void cl_ctl_argv (ClCtlRun *r, const char *cwd, char **envp, const char *const *args);
/* caselinkctl --address @address @first... (NULL-terminated). */
void cl_ctl_at (ClCtlRun *r, const char *address, const char *first, ...) G_GNUC_NULL_TERMINATED;
