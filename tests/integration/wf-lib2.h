/* wf-lib2.h — helpers of the workflow-library tests that use
 * tests/data/actors-library-2.yaml (wf-lib2.c). */
#pragma once

#include <stdarg.h>

#include "harness.h"

/* The users of tests/data/actors-library-2.yaml, by uid. */
#define UID_AGENCY_HEAD    "1"   /* daemon: qh-forestry agency_head */
#define UID_AGENCY_OFFICER "2"   /* bin: qh-forestry agency_officer */
#define UID_PSB            "3"   /* sys: xn-psb psb */
#define UID_PROC_PIL       "4"   /* sync: qh-proc proc_pil */
#define UID_PROC_CHIEF     "5"   /* games: qh-proc proc_chief */
#define UID_PROC_MINOR     "6"   /* man: qh-proc proc_minor */
#define UID_PROC_ADMIN     "7"   /* lp: qh-proc proc_admin, proc_criminal */
#define UID_ECO            "8"   /* mail: qh-eco eco_right_holder */
#define UID_REPORTING      "9"   /* news: xn-school reporting_unit */
#define UID_PETITION       "10"  /* uucp: qh-petition petition_office */
#define UID_COURT          "13"  /* proxy: xn-court court */
#define UID_REHAB          "33"  /* www-data: qh-rehab agency_officer */
#define S(x) g_variant_new_string (x)
#define F(...) cl_test_fields (__VA_ARGS__, NULL)
#define NO_FIELDS cl_test_fields (NULL, NULL)
#define assert_agency(h, path, want) \
  G_STMT_START { g_autofree char *a_ = agency_of ((h), (path)); g_assert_cmpstr (a_, ==, (want)); } G_STMT_END
#define assert_field(h, path, name, want) \
  G_STMT_START { g_autofree char *f_ = field_of ((h), (path), (name)); g_assert_cmpstr (f_, ==, (want)); } G_STMT_END
#define assert_state(h, path, want) \
  G_STMT_START { g_autofree char *s_ = cl_test_case_state (cl_harness_connection (h), (path)); \
                 g_assert_cmpstr (s_, ==, (want)); } G_STMT_END

ClHarness *start (void);
char *agency_of (ClHarness *h, const char *path);
char *field_of (ClHarness *h, const char *path, const char *name);
/* The harness's helpers, under the short names these tests use. */
#define create(h, workflow, fields, path) cl_test_create ((h), (workflow), (fields), (path))
#define step(h, path, transition, fields, want) cl_test_step ((h), (path), (transition), (fields), (want))
void refused (ClHarness *h, const char *path, const char *transition, GVariant *fields, const char *name);
void expire (ClHarness *h, gint64 us, const char *path, const char *transition, const char *state);
char *linked (ClHarness *h, const char *path, const char *relation, char **other_path);
char *spawned (ClHarness *h, const char *id, const char *path, const char *relation, const char *prefix);
gboolean can_switch_users (void);
int run_ctl (ClHarness *h, const char *uid, char **out, va_list ap);
int ctl_as (ClHarness *h, const char *uid, ...);
char *ctl_create_as (ClHarness *h, const char *uid, char **path, ...);
char *last_role (ClHarness *h, const char *path);
