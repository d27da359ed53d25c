/* deadline.h — a case's running deadline: started when a state with a
 * deadline is entered, paused and resumed with pauses_clock states,
 * extended by transitions, recomputed when its calendar changes. Every
 * change is written to the case's history with the rule that produced it.
 *
 * The deadlines table keeps, per case, a replayable spec: the start, the
 * amount and unit, and every later extension or pause in order, so a new
 * calendar gives the same answer a fresh computation would. */
#pragma once

#include "daemon.h"

G_BEGIN_DECLS

/* After @rec (already inserted) entered its initial state. */
gboolean cl_deadline_on_create (CLDaemon *d, CLCaseRecord *rec, const CLWorkflow *wf, const CLIdentity *who,
                                const char *role, gint64 now, GError **error);

/* After @rec moved from @from_state to rec->state through @t (rec->state
 * already updated). Updates rec->deadline / rec->overdue. */
gboolean cl_deadline_on_transition (CLDaemon *d, CLCaseRecord *rec, const CLWorkflow *wf, const char *from_state,
                                    const CLTransition *t, const CLIdentity *who, const char *role, gint64 now,
                                    GError **error);

/* Recompute the unfired deadlines computed with @calendar (after a reload
 * changed it). Inside a transaction. Returns how many changed. */
gboolean cl_deadline_recompute_calendar (CLDaemon *d, const char *calendar, guint *changed, GError **error);

/* The calendar for @name, logging once per (calendar, year) when a
 * computation leaves the years it covers. */
CLCalendar *cl_deadline_calendar (CLDaemon *d, const char *name);

/* Format an instant for history and logs: "2026-02-25 23:59:59 +08:00". */
char *cl_deadline_format (CLDaemon *d, gint64 us);

G_END_DECLS
