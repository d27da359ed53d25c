/* plugin-case.h — the CaselinkCase a hook receives (plugin-api.c implements
 * its accessors, plugin-hooks.c builds it on the stack for one call). */
#pragma once

#include "plugin-hooks.h"
#include "plugin-private.h"

#include <caselink/case.h>

struct _CaselinkCase {
  CLDaemon *d;
  const CLHookScope *scope;    /* validators, guards, actions: the running change */
  CLHookScope *writable;       /* actions only: the same scope, which they may write */
  const CLCaseRecord *rec;     /* redactors: the stored case (scope NULL) */
  const CLWorkflow *wf;        /* may be NULL for a redactor */
  const CLIdentity *who;
  CaselinkPlugin *plugin;      /* whose hook runs */
};
