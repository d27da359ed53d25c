/* ctl-output.h — what caselinkctl prints: aligned tables for people, JSON
 * for scripts, and errors in whichever of the two was asked for. */
#pragma once

#include "ctl-json.h"

#include <glib.h>

G_BEGIN_DECLS

/* ---- tables ---- */

typedef struct _CtlTable CtlTable;

/* @headers: NULL-terminated column titles. A table made with
 * ctl_table_new_plain() has @n_columns and no header line (key/value
 * listings). */
CtlTable *ctl_table_new (const char *const *headers);
CtlTable *ctl_table_new_plain (guint n_columns);
/* Exactly one cell per column; a NULL cell prints as "-". Cells are copied. */
void ctl_table_add_row (CtlTable *table, ...);
void ctl_table_add_rowv (CtlTable *table, const char *const *cells);
guint ctl_table_get_n_rows (CtlTable *table);
/* Columns padded by display width (CJK counts two); control characters
 * become spaces so a value cannot break the layout or the terminal. */
void ctl_table_print (CtlTable *table);
void ctl_table_free (CtlTable *table);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtlTable, ctl_table_free)

/* ---- values for people ---- */

/* Valid UTF-8 with every control character (C0, DEL, C1) turned into a
 * space: a multi-line comment stays on its line, and a value cannot send
 * escape sequences to the terminal. NULL gives "-". */
char *ctl_sanitize (const char *text);

/* Local ISO-8601 (2026-03-05T10:11:12+08:00) of µs since the epoch; "-"
 * for 0. */
char *ctl_format_time (gint64 usec);
/* A value as a person would write it: strings bare, lists joined with
 * ", ", booleans yes/no, dictionaries as key=value. */
char *ctl_format_value (GVariant *value);
const char *ctl_format_bool (gboolean value);
/* How far @usec is from @now_usec, for people: "in 3 days", "5 hours ago",
 * "in 12 minutes"; "now" within a minute. */
char *ctl_format_relative (gint64 usec, gint64 now_usec);

/* The title to show this user: the entry of @titles (a{ss}, language ->
 * title; NULL or another type allowed) for the first of the user's
 * languages (g_get_language_names(): LANGUAGE, LC_ALL, LC_MESSAGES, LANG)
 * that it has — "zh" for zh_CN.UTF-8, "en" for en_GB — else @fallback
 * (the deployment-language title the daemon chose). The C/POSIX locale
 * ends the search. */
char *ctl_title_for_locale (GVariant *titles, const char *fallback);

/* ---- JSON ---- */

/* A GVariant as plain JSON: variants unwrapped, dictionaries as objects
 * with sorted keys, arrays and tuples as arrays, numbers and booleans as
 * such, strings and object paths as strings. */
CtlJson *ctl_json_from_variant (GVariant *value);
/* Print @node on stdout with a newline: indented, or on one line for
 * streams (watch). */
void ctl_print_json (const CtlJson *node, gboolean one_line);
/* A case's Links (a(sss): relation, other id, other path) as an array of
 * {"relation", "id", "path"}; NULL for a value of any other type. */
CtlJson *ctl_json_links (GVariant *links);
void ctl_print_variant_json (GVariant *value);
/* An object of string members: key, value, ..., NULL. */
void ctl_print_json_strings (const char *first_key, ...) G_GNUC_NULL_TERMINATED;

/* ---- errors ---- */

/* "caselinkctl: message" on stderr, or {"error":NAME,"message":...} on
 * stdout with @json. */
void ctl_print_error (const GError *error, gboolean json);

G_END_DECLS
