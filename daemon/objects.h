/* objects.h — registration of caselinkd's D-Bus objects. */
#pragma once

#include "daemon.h"

G_BEGIN_DECLS

void cl_manager_register (CLDaemon *d);
/* org.caselink.Testing1, added to /org/caselink with --test-clock only. */
extern const CLInterface cl_testing_iface;
void cl_case_objects_register (CLDaemon *d);
void cl_workflow_objects_register (CLDaemon *d);

/* Case1 properties of @rec as a{sv} entries into @b (all, or only @name). */
void cl_case_properties (const CLCaseRecord *rec, const char *name, GVariantBuilder *b);

/* History entries of @rec as Case1.History gives them, redacted for @who. */
GVariant *cl_case_history_variant (CLDaemon *d, const CLCaseRecord *rec, const CLIdentity *who, GError **error);

/* a(ss) (relation, id) from the store -> the Links property a(sss):
 * relation, id, object path (a string, as API v1 says), without the cases
 * @who may not see (@who NULL: no filtering). */
GVariant *cl_case_links_variant (CLDaemon *d, GVariant *links, const CLIdentity *who);

/* "title" of a workflow, transition or state in the deployment language. */
const char *cl_daemon_title (CLDaemon *d, GHashTable *titles, const char *fallback);
/* a{ss} of titles with the plain-string title under the default language. */
GVariant *cl_daemon_titles (CLDaemon *d, GHashTable *titles, const char *fallback);

G_END_DECLS
