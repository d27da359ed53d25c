/* caselink/case.h — what a plugin's hooks may know and do about cases.
 *
 * A CaselinkCase is valid only during the hook call it is passed to; keep
 * nothing of it (copy what you need). Strings returned are owned by caselinkd
 * and valid for the same time. GVariant arguments may be floating: caselinkd
 * takes them.
 *
 * What a hook sees:
 *  - validator: the fields as the change would write them; during the
 *    creation of a case its id is "" and it has no links yet;
 *  - guard: the same, plus the transition; the state is the one it leaves;
 *  - action: the same; the case may be written (set_field, create, link,
 *    kv_set), inside the change's own transaction;
 *  - redactor: the case as stored; the actor is the caller who will see it.
 */
#pragma once

#include <caselink/plugin.h>

G_BEGIN_DECLS

/* ---- the case ----------------------------------------------------------- */

const char *caselink_case_get_id (CaselinkCase *c);
const char *caselink_case_get_workflow (CaselinkCase *c);
guint caselink_case_get_workflow_version (CaselinkCase *c);
/* The state the case is in (during a transition: the one it leaves). */
const char *caselink_case_get_state (CaselinkCase *c);
/* The state a running transition goes to; otherwise the current state. */
const char *caselink_case_get_next_state (CaselinkCase *c);
/* The "domain" field ("" when unset). */
const char *caselink_case_get_domain (CaselinkCase *c);
/* µs since the epoch; 0 while the case is being created. */
gint64 caselink_case_get_created (CaselinkCase *c);

/* The plugin whose hook is running. */
CaselinkPlugin *caselink_case_get_plugin (CaselinkCase *c);

/* A field's value (new reference) in its canonical D-Bus type (s, x, d, b or
 * as), or NULL when it is unset or empty. */
GVariant *caselink_case_get_field (CaselinkCase *c, const char *name);
/* Every set field as a{sv} (new reference). */
GVariant *caselink_case_get_fields (CaselinkCase *c);
/* Does the workflow mark @name pii: true (personal data)? */
gboolean caselink_case_field_is_pii (CaselinkCase *c, const char *name);
/* Actions only. @value is coerced like a D-Bus caller's (a string "12" for
 * an integer field is fine); NULL or "" clears the field (not a required
 * one). The value is written with the change and recorded in its history
 * entry. CASELINK_ERROR_NOT_ALLOWED outside an action. */
gboolean caselink_case_set_field (CaselinkCase *c, const char *name, GVariant *value, GError **error);

/* ---- who is asking ------------------------------------------------------ */

/* The caller of the change (or, for a redactor, of the read). The daemon's
 * own changes (deadline expiries) run as user "caselinkd" with no roles;
 * signals to subscribers are redacted for an actor with no user and no roles. */
const char *caselink_case_get_actor_user (CaselinkCase *c);
const char *caselink_case_get_actor_agency (CaselinkCase *c);
guint32 caselink_case_get_actor_uid (CaselinkCase *c);
/* Root holds every role. */
gboolean caselink_case_actor_has_role (CaselinkCase *c, const char *role);

/* ---- time ---------------------------------------------------------------- */

/* The daemon's "now" in µs since the epoch. */
gint64 caselink_case_get_now (CaselinkCase *c);
/* Midnight of 1 January of the current year in the deployment's time zone,
 * µs since the epoch: for "this year" queries. */
gint64 caselink_case_get_year_start (CaselinkCase *c);

/* ---- links and new cases ------------------------------------------------- */

/* a(ss): (relation, other case id), in the order they were made. New
 * reference; empty while the case is being created. */
GVariant *caselink_case_get_links (CaselinkCase *c);

/* Actions only: create a case of @workflow (its newest version) from
 * @fields (a{sv}, may be NULL) inside the running change. The new case goes
 * through the same checks as CreateCase (required fields, validators, its
 * workflow's creation actions); its creator is the caller of the change.
 * *@new_id (may be NULL) receives its id, g_free() it. */
gboolean caselink_case_create (CaselinkCase *c, const char *workflow, GVariant *fields, char **new_id,
                               GError **error);
/* Seal (or unseal) the case as a criminal record under 犯罪记录封存: it then
 * disappears for everyone without the sealing_query role and its content is
 * read only through Case1.QuerySealed, which is recorded. Actions only. */
gboolean caselink_case_set_sealed (CaselinkCase *c, gboolean sealed, GError **error);
gboolean caselink_case_is_sealed (CaselinkCase *c);

/* Actions only: link this case --@relation--> @other_id (and back with
 * @relation + "_of"), noted in both histories. Linking twice is a no-op. */
gboolean caselink_case_link (CaselinkCase *c, const char *other_id, const char *relation, GError **error);

/* ---- read-only queries ---------------------------------------------------- */

/* Cases of @workflow created at or after @created_since_us (0 = ever) whose
 * fields equal every entry of @field_equals (a{sv}, may be NULL; values are
 * coerced by the workflow's field types). Includes what the running change
 * has written so far. */
gboolean caselink_query_count (CaselinkCase *c, const char *workflow, GVariant *field_equals,
                               gint64 created_since_us, guint64 *count, GError **error);
/* Their ids, oldest first, at most @limit (0 = 100, at most 10000);
 * NULL-terminated, g_strfreev() it. NULL with @error on failure. */
char **caselink_query_list (CaselinkCase *c, const char *workflow, GVariant *field_equals,
                            gint64 created_since_us, guint limit, GError **error);

/* ---- the plugin's own key-value store ------------------------------------ */

/* Keys are 1 to 256 bytes of UTF-8, private to the calling plugin. A value
 * (new reference) or NULL when unset. */
GVariant *caselink_kv_get (CaselinkCase *c, const char *key);
/* Actions only: written inside the running change, so it is undone with
 * it. @value NULL deletes the key. Values up to 64 KiB as GVariant text. */
gboolean caselink_kv_set (CaselinkCase *c, const char *key, GVariant *value, GError **error);

/* ---- checks shared with caselinkd's field types -------------------------- */

/* GB 11643 citizen identity number (18 characters, check character). */
gboolean caselink_person_id_is_valid (const char *s);
/* GB 32100 unified social credit code (18 characters, check character). */
gboolean caselink_uscc_is_valid (const char *s);

G_END_DECLS
