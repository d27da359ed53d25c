/* wf-lib1.h — helpers of the workflow-library tests that use
 * tests/data/actors-library-1.yaml (wf-lib1.c). */
#pragma once

#include "harness.h"

void assert_agency (ClHarness *h, const char *path, const char *want);
void assert_state (ClHarness *h, const char *path, const char *want);
/* The harness's helpers, under the short names these tests use. */
#define overdue_of(h, path) cl_test_overdue_of ((h), (path))
#define wait_for(h, path, state, overdue) cl_test_wait_for ((h), (path), (state), (overdue))
#define create(h, workflow, fields, path) cl_test_create ((h), (workflow), (fields), (path))
#define adv(h, path, transition, fields, want) cl_test_step ((h), (path), (transition), (fields), (want))
#define count_notes(h, path, action, needle) cl_test_count_notes ((h), (path), (action), (needle))
/* Assert @transition is refused with the D-Bus error @name, whose message
 * contains @needle (when not NULL), and that the state did not change. */
void adv_refused (ClHarness *h, const char *path, const char *transition, GVariant *fields, const char *name,
                  const char *needle);
/* The newest history entry for @transition, as (user, role). */
void assert_taken_by (ClHarness *h, const char *path, const char *transition, const char *user, const char *role);
/* actors-library-1.yaml. When the test does not run as root, the harness
 * gives the current user proc_* roles and agency_head only; the main paths
 * need the other roles of these workflows too, so a copy with one more line
 * for the current user is used (roles of two entries add up). */
char *actors_template (void);
/* A daemon with the test clock and actors-library-1.yaml. */
ClHarness *start (void);

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
