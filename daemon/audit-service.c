/* audit-service.c — Manager1.VerifyAudit and the start-up check: the
 * history chains are walked in bounded steps from the main loop, so the bus
 * keeps answering while a million rows are verified. */
#define G_LOG_DOMAIN "caselink"

#include "audit-service.h"
#include "audit-chain.h"
#include "cl-errors.h"
#include "engine.h"

#define ROWS_PER_STEP 5000

typedef struct {
  CLDaemon *d;
  CLCall *call;             /* NULL for the start-up check */
  CLAuditVerifier *verifier;
} Run;

static gboolean
verify_step (gpointer data)
{
  Run *run = data;
  const char *report = NULL;
  gboolean ok;

  if (!cl_audit_verifier_step (run->verifier, ROWS_PER_STEP))
    return G_SOURCE_CONTINUE;
  ok = cl_audit_verifier_result (run->verifier, &report);
  if (run->call != NULL)
    cl_call_return (run->call, g_variant_new ("(bs)", ok, report));
  else if (ok)
    g_message ("audit: %s", report);
  else
    g_warning ("audit: the history has been tampered with: %s (caselinkd keeps serving; see caselinkctl audit verify)",
               report);
  cl_audit_verifier_free (run->verifier);
  g_free (run);
  return G_SOURCE_REMOVE;
}

static void
start (CLDaemon *d, CLCall *call, guint64 count, const char *hash)
{
  Run *run = g_new0 (Run, 1);

  run->d = d;
  run->call = call;
  /* What was replied is committed: verify from there. */
  cl_engine_flush (d->engine);
  run->verifier = cl_audit_verifier_new ((sqlite3 *) cl_store_db (d->store), count, hash);
  /* as the scheduler's batches: not starved by a steady stream of changes */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, verify_step, run, NULL);
}

void
cl_audit_verify_call (CLDaemon *d, CLCall *call, const char *head)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  guint64 count = 0;

  if (!cl_audit_parse_head (head, &count, &hash, &error))
    {
      cl_call_error (call, error);
      return;
    }
  start (d, call, count, hash);
}

void
cl_audit_check_at_startup (CLDaemon *d)
{
  start (d, NULL, 0, NULL);
}
