/* audit.c — canonical history rows and their hash chain.
 *
 * Canonical row: the tag "caselink-history-v1", then each value as
 * "<byte length>:<bytes>\n", in this order: previous hash (hex, "" for the
 * first row), case id, seq, time, uid, user, agency, role, action,
 * transition, from, to, comment, fields (GVariant text form). Length
 * prefixes make the encoding unambiguous whatever the values contain.
 */
#include "audit.h"

#include <string.h>

static void
put (GChecksum *sum, const char *value)
{
  g_autofree char *len = g_strdup_printf ("%zu:", strlen (value));

  g_checksum_update (sum, (const guchar *) len, -1);
  g_checksum_update (sum, (const guchar *) value, -1);
  g_checksum_update (sum, (const guchar *) "\n", 1);
}

static void
put_int (GChecksum *sum, gint64 value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  put (sum, buf);
}

char *
cl_audit_hash (const char *prev_hash, const char *case_id, const CLHistoryRecord *h, const char *fields_text)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (sum, (const guchar *) "caselink-history-v1\n", -1);
  put (sum, prev_hash ? prev_hash : "");
  put (sum, case_id);
  put_int (sum, (gint64) h->seq);
  put_int (sum, h->time);
  put_int (sum, h->uid);
  put (sum, h->user ? h->user : "");
  put (sum, h->agency ? h->agency : "");
  put (sum, h->role ? h->role : "");
  put (sum, h->action ? h->action : "");
  put (sum, h->transition ? h->transition : "");
  put (sum, h->from_state ? h->from_state : "");
  put (sum, h->to_state ? h->to_state : "");
  put (sum, h->comment ? h->comment : "");
  put (sum, fields_text);
  return g_strdup (g_checksum_get_string (sum));
}
