/* fuzz.h — what every fuzz target provides.
 *
 * Each fuzz-*.c defines LLVMFuzzerTestOneInput(). With -Dfuzzing=true (clang)
 * it is linked with libFuzzer's main; in every build it is also linked with
 * replay.c, a plain main() that feeds it the seed corpus and the regression
 * inputs (tests/fuzz/regressions/<target>/), so those run under ./test.sh.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* libFuzzer treats aborts as crashes; so do we: a fuzz target must never
 * log a critical for input it is handed. Called once per process. */
void cl_fuzz_init (void);
