/* ctl-as.h — caselinkctl run as another uid (setpriv) in the workflow tests
 * that check who may take each step. */
#pragma once

#include "harness.h"

/* Root and setpriv are there (else the test is skipped: FALSE). */
gboolean ctl_as_prerequisites (void);
/* caselinkctl --address A --json @args as @uid; the exit status, and
 * stdout in @out when non-NULL. */
int ctl_argv (ClHarness *h, const char *uid, char **out, GPtrArray *args);
/* The same with the arguments given as a NULL-terminated list. */
int ctl_as (ClHarness *h, const char *uid, char **out, ...) G_GNUC_NULL_TERMINATED;
/* A string member of the JSON object printed by caselinkctl --json. */
char *ctl_json_member (const char *text, const char *member);
/* caselinkctl create WORKFLOW ARGS... as @uid, asserting success; the new
 * case's id. */
char *ctl_create_as (ClHarness *h, const char *uid, const char *workflow, ...) G_GNUC_NULL_TERMINATED;
/* The object path of case @id. */
char *ctl_path_of (ClHarness *h, const char *id);
