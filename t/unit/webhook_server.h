/* The small HTTP server of t/unit/chats_webhook_http_unit.c: threads
 * with listening sockets on 127.0.0.1 (port 0) that record each request
 * (head and body) and answer it by its path:
 *   /ok          200 "ok", kept alive
 *   /err         500 with a JSON body and a control byte, kept alive
 *   /redir       302 to http://10.0.0.1/ (never followed by the client)
 *   /slow        200 after 3 s
 *   /huge        200 with a 1 MiB body; /huge500 the same as a 500
 *   /bigheaders  200 with ~140 KB of headers
 *   anything else: never answers (until the client goes)
 * A TLS ClientHello gets a plain-text 400 and the connection closed.
 * quiet_port listens and never accepts; closed_port has no listener. */
#ifndef CHATS_WEBHOOK_SERVER_H
#define CHATS_WEBHOOK_SERVER_H

#include <pthread.h>
#include <stddef.h>

#define MAX_CONNS 64
#define MAX_RECS 128

typedef struct {
    char path[64];
    char *head;             /* request line and headers, malloc'd */
    char *body;             /* malloc'd */
    size_t body_len;
} rec_t;

typedef struct {
    int lfd, port, quiet_fd, quiet_port, closed_port;
    volatile int stop;
    pthread_t acceptor, conns[MAX_CONNS];
    int nconns;
    pthread_mutex_t mu;
    int accepts;
    rec_t recs[MAX_RECS];
    int nrecs;
} srv_t;

int srv_start(srv_t *s);

/* Stop every thread (joined) and free the records. */
void srv_stop(srv_t *s);

/* Connections accepted, requests recorded so far. */
int accepts(srv_t *s);
int nrecs(srv_t *s);

#endif
