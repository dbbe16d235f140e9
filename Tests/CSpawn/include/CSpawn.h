#ifndef CSPAWN_H
#define CSPAWN_H
#include <sys/types.h>

/// Starts `path` with `argv` and `envp` (NULL-terminated), stdin from /dev/null, stdout
/// and stderr appended to the files `out` and `err` (/dev/null when NULL), every other
/// descriptor closed and every signal at its default. Returns 0 or an errno value.
///
/// Tests use it instead of Foundation's Process.run, which on Linux (Swift 6.3) reads
/// past a buffer while listing /proc/self/fd and crashes now and then when the test
/// process holds many descriptors (swift-corelibs-foundation PR #5472).
int cspawn_start(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *out, const char *err);

#endif
