/* The small HTTP server the transport's unit driver talks to
 * (webhook_server.h says what it answers). Plain POSIX sockets and
 * threads, no APR: its threads never touch the driver's pools. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "webhook_server.h"

#define HUGE_LEN (1024 * 1024)

/* ------------------------------------------------------------ the server */

typedef struct {
    srv_t *s;
    int fd;
} conn_arg_t;

static int listen_on(int *pport, int backlog)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))
        || listen(fd, backlog)
        || getsockname(fd, (struct sockaddr *)&a, &len)) {
        return -1;
    }
    *pport = ntohs(a.sin_port);
    return fd;
}

static int send_all(int fd, const char *b, size_t n)
{
    while (n) {
        ssize_t k = send(fd, b, n, MSG_NOSIGNAL);

        if (k <= 0) {
            return -1;
        }
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Wait for the peer to go away (or the test to end); ms < 0: forever. */
static void idle(srv_t *s, int fd, int ms)
{
    struct pollfd p = { fd, POLLIN, 0 };
    char b[512];

    for (; !s->stop && ms != 0; ms -= ms > 0 ? 50 : 0) {
        if (poll(&p, 1, 50) > 0 && recv(fd, b, sizeof(b), 0) <= 0) {
            return;
        }
    }
}

/* Read until the end of the head (or len is full); bytes read, 0 at EOF. */
static size_t read_head(srv_t *s, int fd, char *buf, size_t cap)
{
    struct pollfd p = { fd, POLLIN, 0 };
    size_t n = 0;

    while (!s->stop && n < cap - 1) {
        ssize_t k;

        if (poll(&p, 1, 50) <= 0) {
            continue;
        }
        if ((k = recv(fd, buf + n, cap - 1 - n, 0)) <= 0) {
            return 0;
        }
        n += (size_t)k;
        buf[n] = '\0';
        if ((unsigned char)buf[0] == 0x16 || strstr(buf, "\r\n\r\n")) {
            return n;
        }
    }
    return 0;
}

static void record(srv_t *s, const char *head, size_t hlen, const char *body,
                   size_t blen)
{
    rec_t *r;

    pthread_mutex_lock(&s->mu);
    if (s->nrecs < MAX_RECS) {
        r = &s->recs[s->nrecs++];
        sscanf(head, "%*s %63s", r->path);
        r->head = strndup(head, hlen);
        r->body = malloc(blen + 1);
        memcpy(r->body, body, blen);
        r->body[blen] = '\0';
        r->body_len = blen;
    }
    pthread_mutex_unlock(&s->mu);
}

static void answer_huge(int fd, int status)
{
    static char chunk[16384];
    char head[128];
    int i;

    memset(chunk, 'h', sizeof(chunk));
    snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Length: %d\r\n"
             "\r\n", status, status == 200 ? "OK" : "Internal Server Error",
             HUGE_LEN);
    if (send_all(fd, head, strlen(head)) == 0) {
        for (i = 0; i < HUGE_LEN / (int)sizeof(chunk); i++) {
            if (send_all(fd, chunk, sizeof(chunk))) {
                return;
            }
        }
    }
}

static void answer_big_headers(int fd)
{
    char line[128];
    int i;

    if (send_all(fd, "HTTP/1.1 200 OK\r\n", 17)) {
        return;
    }
    for (i = 0; i < 2000; i++) {
        snprintf(line, sizeof(line), "X-Pad-%04d: %060d\r\n", i, i);
        if (send_all(fd, line, strlen(line))) {
            return;
        }
    }
    send_all(fd, "Content-Length: 0\r\n\r\n", 21);
}

/* The canned answer for path; 0: keep the connection for the next. */
static int answer(srv_t *s, int fd, const char *path)
{
    static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    static const char err[] = "HTTP/1.1 500 Internal Server Error\r\n"
        "Content-Length: 21\r\n\r\n{\"error\":\"db down\"}\n\x01";
    static const char redir[] = "HTTP/1.1 302 Found\r\n"
        "Location: http://10.0.0.1/\r\nContent-Length: 5\r\n\r\nmoved";

    if (!strcmp(path, "/ok")) {
        return send_all(fd, ok, sizeof(ok) - 1);
    }
    if (!strcmp(path, "/err")) {
        return send_all(fd, err, sizeof(err) - 1);
    }
    if (!strcmp(path, "/redir")) {
        return send_all(fd, redir, sizeof(redir) - 1);
    }
    if (!strcmp(path, "/slow")) {
        idle(s, fd, 3000);
        return send_all(fd, ok, sizeof(ok) - 1);
    }
    if (!strcmp(path, "/huge") || !strcmp(path, "/huge500")) {
        answer_huge(fd, path[5] ? 500 : 200);
    }
    else if (!strcmp(path, "/bigheaders")) {
        answer_big_headers(fd);
    }
    else {
        idle(s, fd, -1);                   /* /hang: never answers */
    }
    return -1;
}

/* Read the body the head announces; its length, or -1. */
static long read_body(srv_t *s, int fd, const char *head, char *buf,
                      size_t have, size_t cap)
{
    const char *cl = strcasestr(head, "\r\nContent-Length:");
    size_t want = cl ? strtoul(cl + 17, NULL, 10) : 0;
    struct pollfd p = { fd, POLLIN, 0 };

    while (have < want && have < cap && !s->stop) {
        ssize_t k;

        if (poll(&p, 1, 50) <= 0) {
            continue;
        }
        if ((k = recv(fd, buf + have, cap - have, 0)) <= 0) {
            return -1;
        }
        have += (size_t)k;
    }
    return have == want ? (long)want : -1;
}

static void *conn_main(void *arg)
{
    conn_arg_t *c = arg;
    srv_t *s = c->s;
    char *buf = malloc(256 * 1024), *end, path[64];
    size_t n;
    long blen;

    while (!s->stop && (n = read_head(s, c->fd, buf, 64 * 1024)) > 0) {
        if ((unsigned char)buf[0] == 0x16) {     /* a TLS ClientHello */
            static const char bad[] = "HTTP/1.1 400 Bad Request\r\n"
                "Content-Length: 0\r\nConnection: close\r\n\r\n";

            send_all(c->fd, bad, sizeof(bad) - 1);
            break;
        }
        end = strstr(buf, "\r\n\r\n") + 4;
        blen = read_body(s, c->fd, buf, end, n - (size_t)(end - buf),
                         192 * 1024);
        if (blen < 0) {
            break;
        }
        path[0] = '\0';
        sscanf(buf, "%*s %63s", path);
        record(s, buf, (size_t)(end - buf), end, (size_t)blen);
        if (answer(s, c->fd, path)) {
            break;
        }
    }
    close(c->fd);
    free(buf);
    free(c);
    return NULL;
}

static void *accept_main(void *arg)
{
    srv_t *s = arg;
    struct pollfd p = { s->lfd, POLLIN, 0 };

    while (!s->stop) {
        conn_arg_t *c;
        int fd;

        if (poll(&p, 1, 50) <= 0
            || (fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
            continue;
        }
        c = malloc(sizeof(*c));
        c->s = s;
        c->fd = fd;
        pthread_mutex_lock(&s->mu);
        s->accepts++;
        if (s->nconns < MAX_CONNS
            && pthread_create(&s->conns[s->nconns], NULL, conn_main, c) == 0) {
            s->nconns++;
            c = NULL;
        }
        pthread_mutex_unlock(&s->mu);
        if (c) {
            close(fd);
            free(c);
        }
    }
    return NULL;
}

int srv_start(srv_t *s)
{
    int fd;

    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    if ((s->lfd = listen_on(&s->port, 64)) < 0
        || (s->quiet_fd = listen_on(&s->quiet_port, 1)) < 0
        || (fd = listen_on(&s->closed_port, 1)) < 0) {
        return 0;
    }
    close(fd);                      /* nothing listens there any more */
    return pthread_create(&s->acceptor, NULL, accept_main, s) == 0;
}

void srv_stop(srv_t *s)
{
    int i;

    s->stop = 1;
    pthread_join(s->acceptor, NULL);
    for (i = 0; i < s->nconns; i++) {
        pthread_join(s->conns[i], NULL);
    }
    close(s->lfd);
    close(s->quiet_fd);
    for (i = 0; i < s->nrecs; i++) {
        free(s->recs[i].head);
        free(s->recs[i].body);
    }
}

int accepts(srv_t *s)
{
    int n;

    pthread_mutex_lock(&s->mu);
    n = s->accepts;
    pthread_mutex_unlock(&s->mu);
    return n;
}

int nrecs(srv_t *s)
{
    int n;

    pthread_mutex_lock(&s->mu);
    n = s->nrecs;
    pthread_mutex_unlock(&s->mu);
    return n;
}

