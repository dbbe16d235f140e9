#define _GNU_SOURCE
#include "CLimits.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int full(int fd, char *buffer, size_t bytes, int reading) {
    size_t done = 0;
    while (done < bytes) {
        ssize_t n = reading ? recv(fd, buffer + done, bytes - done, 0) : send(fd, buffer + done, bytes - done, MSG_NOSIGNAL);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

struct echo { int listener; size_t bytes; };

/// Echoes whatever arrives, as it arrives (one read, one write: what a server that
/// answers a batch of requests at once does), until the client closes.
static void *echo_server(void *argument) {
    struct echo *e = argument;
    int fd = accept(e->listener, NULL, NULL);
    if (fd < 0) return NULL;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    size_t size = 1 << 16;
    char *buffer = malloc(size);
    while (buffer) {
        ssize_t n = recv(fd, buffer, size, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || full(fd, buffer, (size_t)n, 0) != 0) break;
    }
    free(buffer);
    close(fd);
    return NULL;
}

/// A connected client and its echoing server thread.
static int connect_pair(size_t bytes, struct echo *e, pthread_t *server) {
    e->bytes = bytes;
    e->listener = socket(AF_INET, SOCK_STREAM, 0);
    if (e->listener < 0) return -1;
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(e->listener, (struct sockaddr *)&address, sizeof address) < 0 || listen(e->listener, 1) < 0 ||
        getsockname(e->listener, (struct sockaddr *)&address, &length) < 0) {
        close(e->listener);
        return -1;
    }
    if (pthread_create(server, NULL, echo_server, e) != 0) { close(e->listener); return -1; }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) < 0) { close(e->listener); return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int climits_pingpong(double seconds, size_t bytes, double *round_trips_per_second, double *p50_microseconds) {
    struct echo e;
    pthread_t server;
    int fd = connect_pair(bytes, &e, &server);
    if (fd < 0) return -1;
    char *buffer = calloc(1, bytes);
    size_t capacity = 1 << 22, count = 0;
    double *latencies = malloc(capacity * sizeof(double));
    double start = now_seconds(), end = start + seconds, t = start;
    while (buffer && latencies && t < end) {
        double before = t;
        if (full(fd, buffer, bytes, 0) != 0 || full(fd, buffer, bytes, 1) != 0) break;
        t = now_seconds();
        if (count < capacity) latencies[count++] = (t - before) * 1e6;
    }
    close(fd);
    pthread_join(server, NULL);
    close(e.listener);
    free(buffer);
    if (!latencies || count == 0) { free(latencies); return -1; }
    qsort(latencies, count, sizeof(double), compare);
    *round_trips_per_second = (double)count / (t - start);
    *p50_microseconds = latencies[count / 2];
    free(latencies);
    return 0;
}

int climits_pipelined(double seconds, size_t bytes, int depth, double *messages_per_second) {
    struct echo e;
    pthread_t server;
    int fd = connect_pair(bytes, &e, &server);
    if (fd < 0) return -1;
    size_t size = bytes * (size_t)depth;
    char *buffer = calloc(1, size);
    long received_bytes = 0;
    double start = now_seconds(), end = start + seconds;
    // `depth` messages in flight: as many go out, in one write, as whole ones came back in one read.
    int ok = buffer && full(fd, buffer, size, 0) == 0;
    size_t partial = 0;
    while (ok && now_seconds() < end) {
        ssize_t n = recv(fd, buffer, size, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { ok = 0; break; }
        received_bytes += n;
        partial += (size_t)n;
        size_t whole = partial / bytes * bytes;
        partial -= whole;
        if (whole > 0 && full(fd, buffer, whole, 0) != 0) ok = 0;
    }
    double elapsed = now_seconds() - start;
    close(fd);
    pthread_join(server, NULL);
    close(e.listener);
    free(buffer);
    if (!ok && received_bytes == 0) return -1;
    *messages_per_second = (double)(received_bytes / (long)bytes) / elapsed;
    return 0;
}
