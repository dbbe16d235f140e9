#ifndef CLIMITS_H
#define CLIMITS_H

#include <stddef.h>

/// Issue 30: what this machine can do at best, measured by plain C right before the
/// Swift figures so every figure has a ratio that means the same on any machine.

/// One client and one echoing server thread over TCP loopback (TCP_NODELAY), one
/// message of `bytes` in flight: round trips a second and the median round trip, µs.
/// Returns 0, or -1 with errno set.
int climits_pingpong(double seconds, size_t bytes, double *round_trips_per_second, double *p50_microseconds);

/// The same with `depth` messages in flight: messages echoed a second.
int climits_pipelined(double seconds, size_t bytes, int depth, double *messages_per_second);

#endif
