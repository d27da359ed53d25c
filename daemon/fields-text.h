/* fields-text.h — a case's fields (a{sv}) as stored: g_variant_print's text. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exactly g_variant_print (@fields, TRUE) ("@a{sv} {}" for NULL), faster
 * for the usual field types. */
char *cl_fields_to_text (GVariant *fields);

G_END_DECLS
