/* The signals hush-init forwards to the app: the same set `hush run` forwards to init and a
 * policy's on_change may send (agent/core/signals.ts; test/unit/signals.test.ts keeps the two
 * in step through the addon's forwardedSignals()). */
#include "hush.h"

#include <signal.h>

const int hush_forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
const size_t hush_forwarded_signal_count = sizeof hush_forwarded_signals / sizeof hush_forwarded_signals[0];
