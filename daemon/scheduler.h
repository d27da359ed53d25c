/* scheduler.h — fires deadlines: one timer armed on the earliest pending
 * deadline or warning from the index (never one timer per case), capped so
 * a changed wall clock is noticed; due rows are processed in bounded
 * batches at low priority so the bus keeps answering meanwhile. */
#pragma once

#include "daemon.h"

G_BEGIN_DECLS

typedef struct _CLScheduler CLScheduler;

CLScheduler *cl_scheduler_new (CLDaemon *d);
void cl_scheduler_free (CLScheduler *s);

/* Look at the index again (after a commit, a clock change, start-up). */
void cl_scheduler_rearm (CLScheduler *s);

/* Rows processed per transaction, at most, and for at most this long. */
#define CL_SCHEDULER_BATCH 500
#define CL_SCHEDULER_SLICE_US (20 * 1000)
/* How often a batch held back by a long log looks again, and how long in
 * all batches wait while the log stays long. */
#define CL_SCHEDULER_YIELD_MS 2
#define CL_SCHEDULER_HOLD_MAX_US (1000 * 1000)
/* The longest the timer sleeps before looking at the clock again. */
#define CL_SCHEDULER_MAX_SLEEP_MS 60000

G_END_DECLS
