/* field-value.h — coerce untrusted D-Bus values to a field's type.
 *
 * Canonical D-Bus types: s (string, text, enum, agency, date, person_id,
 * uscc), x (integer), d (number), b (boolean), as (list). Values may also
 * arrive as strings (so busctl users can type them) or as any compatible
 * native type.
 */
#pragma once

#include "workflow.h"

G_BEGIN_DECLS

/* Longest string value accepted for any field without its own max. */
#define CL_FIELD_MAX_CHARS 65536
/* Most elements accepted in a list field without its own max. */
#define CL_FIELD_MAX_ITEMS 1000

/* Returns the canonical value (floating ref sunk, caller owns) or NULL with
 * a CL_ERROR_INVALID_ARGS error naming the field. @agency_ok, when non-NULL,
 * decides whether an agency id is known. */
GVariant *cl_field_coerce (const CLField *field, GVariant *value,
                           gboolean (*agency_ok) (const char *id, gpointer data),
                           gpointer agency_data, GError **error);

/* Is @value (canonical) empty: "" or an empty list? */
gboolean cl_field_value_is_empty (GVariant *value);

/* The first control character (U+0000–U+001F) in @s that a text may not
 * hold — any, or with @multiline any but newline, tab and carriage return;
 * NULL when there is none. */
const char *cl_text_find_control (const char *s, gboolean multiline);

/* Validators shared with the SDK. */
gboolean cl_person_id_is_valid (const char *s);
gboolean cl_uscc_is_valid (const char *s);
gboolean cl_date_is_valid (const char *s);

G_END_DECLS
