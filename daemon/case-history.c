/* case-history.c — notes in a case's history. */
#include "case-history.h"

#include <unistd.h>

const CLIdentity *
cl_system_identity (void)
{
  static CLIdentity system;
  static char *no_roles[] = { NULL };

  if (system.user == NULL)
    {
      system.uid = (guint32) getuid ();
      system.user = (char *) "caselinkd";
      system.agency = (char *) "";
      system.roles = no_roles;
      system.known = TRUE;
    }
  return &system;
}

gboolean
cl_case_note (CLStore *store, CLCaseRecord *rec, const CLIdentity *who, const char *role, const char *action,
              const char *comment, gint64 now, GError **error)
{
  g_autoptr(CLHistoryRecord) h = g_new0 (CLHistoryRecord, 1);

  h->time = now;
  h->uid = who->uid;
  h->user = g_strdup (who->user);
  h->agency = g_strdup (who->agency);
  h->role = g_strdup (role ? role : "");
  h->action = g_strdup (action);
  h->from_state = g_strdup (rec->state);
  h->to_state = g_strdup (rec->state);
  h->comment = g_strdup (comment);
  h->fields = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
  return cl_store_append_history (store, rec, h, error);
}
