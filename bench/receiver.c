/* bench/receiver.c — the bench's webhook receiver (bench/lib/webhook.sh):
 * answers every POST 200 at once, on keep-alive connections, and logs
 * per request one JSON line {"t":ms,"path":"/x","ts":"<Timestamp>"}:
 * when its headers were read (ms since the epoch, with a fraction), its
 * path, and the body's "Timestamp" (the event's capture time). It is not
 * the test suite's receiver (t/bin/webhook-receiver.js checks what
 * arrives); it is small so that it takes little of the cores it shares
 * with what the bench measures: one thread, epoll, no parsing but the
 * request line, Content-Length and that one member.
 *
 *   receiver HOST LOGFILE      prints {"http":PORT} once listening, on
 *                              an ephemeral port; exits at stdin's EOF
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF (256 * 1024)          /* a bench event is a few hundred bytes */

typedef struct {
    int fd;
    size_t len;
    double t;                     /* when this request's headers began */
    char buf[BUF];
} conn_t;

static const char answer[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    "Content-Length: 11\r\n\r\n{\"ok\":true}";

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Content-Length of the header block h (NUL-terminated), or 0. */
static size_t content_length(const char *h)
{
    const char *p = h;

    while ((p = strchr(p, '\n')) != NULL) {
        p++;
        if (!strncasecmp(p, "Content-Length:", 15)) {
            return strtoul(p + 15, NULL, 10);
        }
    }
    return 0;
}

/* One whole request at the head of c->buf: log it, answer it, drop it.
 * Returns 0 when the buffer holds no whole request yet. */
static int one_request(conn_t *c, FILE *log)
{
    char *end, *sp, *ts, save;
    size_t head, body;

    if (c->len == 0) {
        return 0;
    }
    c->buf[c->len] = '\0';
    if ((end = strstr(c->buf, "\r\n\r\n")) == NULL) {
        return 0;
    }
    save = end[2];
    end[2] = '\0';
    body = content_length(c->buf);
    end[2] = save;
    head = (size_t)(end + 4 - c->buf);
    if (c->len < head + body) {
        return 0;
    }
    sp = strchr(c->buf, ' ');
    fprintf(log, "{\"t\":%.4f,\"path\":\"", c->t);
    for (sp = sp ? sp + 1 : c->buf; *sp && *sp != ' ' && *sp != '\r'; sp++) {
        if (*sp != '"' && *sp != '\\') {
            fputc(*sp, log);
        }
    }
    fputs("\",\"ts\":\"", log);
    save = c->buf[head + body];
    c->buf[head + body] = '\0';
    if ((ts = strstr(c->buf + head, "\"Timestamp\":\"")) != NULL) {
        for (ts += 13; *ts && *ts != '"'; ts++) {
            fputc(*ts, log);
        }
    }
    c->buf[head + body] = save;
    fputs("\"}\n", log);
    if (write(c->fd, answer, sizeof(answer) - 1) < 0) {
        return -1;
    }
    memmove(c->buf, c->buf + head + body, c->len - head - body);
    c->len -= head + body;
    c->t = now_ms();
    return 1;
}

static int listen_on(const char *host, int *pport)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), on = 1;

    if (fd < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 128) < 0
        || getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
        return -1;
    }
    *pport = ntohs(a.sin_port);
    return fd;
}

static void on_readable(int ep, conn_t *c, FILE *log)
{
    ssize_t n;

    for (;;) {
        if (c->len == 0) {
            c->t = now_ms();
        }
        n = read(c->fd, c->buf + c->len, BUF - 1 - c->len);
        if (n > 0) {
            c->len += (size_t)n;
            while (one_request(c, log) > 0) {
            }
            if (c->len < BUF - 1) {
                continue;
            }
        }
        if (n < 0 && errno == EAGAIN) {
            return;
        }
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);   /* closed, or too big */
        close(c->fd);
        free(c);
        return;
    }
}

int main(int argc, char **argv)
{
    struct epoll_event ev, evs[64];
    int lfd, ep, port, i, n, on = 1;
    FILE *log;

    if (argc != 3) {
        fprintf(stderr, "usage: receiver HOST LOGFILE\n");
        return 2;
    }
    if ((log = fopen(argv[2], "a")) == NULL
        || (lfd = listen_on(argv[1], &port)) < 0
        || (ep = epoll_create1(0)) < 0) {
        perror("receiver");
        return 1;
    }
    ev.events = EPOLLIN;
    ev.data.ptr = NULL;                  /* the listener */
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    ev.data.ptr = log;                   /* stdin: its EOF ends the run */
    epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev);
    printf("{\"host\":\"%s\",\"http\":%d,\"pid\":%d}\n", argv[1], port,
           (int)getpid());
    fflush(stdout);
    for (;;) {
        if ((n = epoll_wait(ep, evs, 64, 100)) == 0) {
            fflush(log);                 /* idle: the log is whole */
            continue;
        }
        for (i = 0; i < n; i++) {
            if (evs[i].data.ptr == log) {
                char b[64];

                if (read(0, b, sizeof(b)) <= 0) {
                    fclose(log);
                    return 0;
                }
            }
            else if (evs[i].data.ptr == NULL) {
                int fd;

                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    conn_t *c = calloc(1, sizeof(*c));

                    if (!c) {
                        close(fd);
                        continue;
                    }
                    c->fd = fd;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
                    ev.events = EPOLLIN;
                    ev.data.ptr = c;
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
                }
            }
            else {
                on_readable(ep, evs[i].data.ptr, log);
            }
        }
    }
}
