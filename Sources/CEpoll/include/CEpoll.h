// Linux event and socket primitives that Swift's Glibc module does not export
// (sys/epoll.h, sys/eventfd.h, and malloc.h's malloc_trim) plus the few macros Swift
// cannot import.
#ifndef SWITCHBOARD_CEPOLL_H
#define SWITCHBOARD_CEPOLL_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <malloc.h>

static inline int cepoll_errno(void) { return errno; }

/// Gives pages glibc's arenas hold free back to the kernel; 1 when some were.
static inline int cepoll_malloc_trim(void) { return malloc_trim(0); }

/// Names the calling thread (at most 15 bytes) for top -H and perf.
int cepoll_name_thread(const char *name);

/// Accept with SOCK_NONBLOCK|SOCK_CLOEXEC in one call (accept4 is a GNU extension).
int cepoll_accept4(int fd, struct sockaddr *addr, socklen_t *len);

/// Flags Swift sees as opaque macros on some libcs.
static const int cepoll_sock_stream_nonblock_cloexec = SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC;
static const int cepoll_msg_nosignal = MSG_NOSIGNAL;
static const unsigned int cepoll_epollet = EPOLLET;
static const unsigned int cepoll_epollin = EPOLLIN;
static const unsigned int cepoll_epollout = EPOLLOUT;
static const unsigned int cepoll_epollrdhup = EPOLLRDHUP;
static const unsigned int cepoll_epollhup = EPOLLHUP;
static const unsigned int cepoll_epollerr = EPOLLERR;
static const int cepoll_efd_nonblock_cloexec = EFD_NONBLOCK | EFD_CLOEXEC;

#endif
