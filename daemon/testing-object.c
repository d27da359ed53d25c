/* testing-object.c — org.caselink.Testing1 on /org/caselink, only with
 * --test-clock (refused together with --system): SetTime moves the daemon's
 * notion of now so tests control deadlines without sleeping. */
#define G_LOG_DOMAIN "caselink"

#include "objects.h"
#include "cl-errors.h"
#include "engine.h"
#include "scheduler.h"

#include <unistd.h>

/* Only root or the daemon's own user may move the clock or break the disk. */
static gboolean
refused (CLCall *call)
{
  guint32 uid = cl_call_caller (call)->uid;

  if (uid == 0 || uid == (guint32) getuid ())
    return FALSE;
  cl_call_error_name (call, cl_error_to_dbus_name (CL_ERROR_PERMISSION_DENIED),
                      "org.caselink.Testing1 is for the test that started caselinkd (uid %u)", (guint) getuid ());
  return TRUE;
}

/* 9000-01-01T00:00:00Z */
#define MAX_TEST_TIME G_GINT64_CONSTANT (221845392000000000)

static void
set_time (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  gint64 usec;

  if (refused (call))
    return;
  g_variant_get (args, "(x)", &usec);
  /* Dates past year 9999 in the deployment's zone have no calendar
   * (GLib refuses them): stay well inside. */
  if (usec <= 0 || usec >= MAX_TEST_TIME)
    {
      cl_call_error_name (call, cl_error_to_dbus_name (CL_ERROR_INVALID_ARGS),
                          "SetTime takes microseconds since the epoch, greater than 0 and before 9000-01-01");
      return;
    }
  d->test_now = usec;
  g_message ("test clock set to %" G_GINT64_FORMAT, usec);
  cl_call_return (call, NULL);
  /* Deadlines fire as if that time had come. */
  cl_scheduler_rearm (d->scheduler);
}

static void
inject_fault (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  const char *kind;
  g_autoptr(GError) error = NULL;

  if (refused (call))
    return;
  g_variant_get (args, "(&s)", &kind);
  cl_engine_flush (d->engine);
  if (!cl_store_inject_fault (d->store, kind, &error))
    {
      cl_call_error (call, error);
      return;
    }
  g_message ("test fault: %s", kind);
  cl_call_return (call, NULL);
}

static const CLMethod testing_methods[] = {
  { "SetTime", "x", "usec", "", "", set_time },
  { "InjectFault", "s", "kind", "", "", inject_fault },
  { NULL },
};

const CLInterface cl_testing_iface = {
  "org.caselink.Testing1", testing_methods, NULL, NULL, NULL,
};
