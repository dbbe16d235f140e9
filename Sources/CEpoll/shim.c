#define _GNU_SOURCE
#include "CEpoll.h"
#include <pthread.h>

int cepoll_accept4(int fd, struct sockaddr *addr, socklen_t *len) {
    return accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int cepoll_name_thread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
