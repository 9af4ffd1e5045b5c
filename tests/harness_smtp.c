/* A real SMTP server for the tests (see harness.h), in a thread of the
 * test: accepts every mail and keeps recipient and message; and a mail's
 * first part decoded, as the tests read it. */
#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SMTP_MAX 128

struct harness_smtp {
    int fd;
    char url[64];
    pthread_t thread;
    pthread_mutex_t lock;
    volatile int stop;
    size_t n;
    char *rcpt[SMTP_MAX];
    char *message[SMTP_MAX];
};

/* Reads one CRLF-terminated line into `line`; 0 at the end. */
static int s_line(int conn, char *line, size_t size)
{
    size_t n = 0;
    while (n + 1 < size) {
        char c;
        if (recv(conn, &c, 1, 0) != 1)
            return 0;
        line[n++] = c;
        if (c == '\n')
            break;
    }
    line[n] = '\0';
    return 1;
}

static void s_say(int conn, const char *text)
{
    if (send(conn, text, strlen(text), MSG_NOSIGNAL) < 0)
        return;
}

static void s_smtp_session(harness_smtp_t *s, int conn)
{
    char line[4096], rcpt[512] = "";
    s_say(conn, "220 test ESMTP\r\n");
    while (s_line(conn, line, sizeof line)) {
        if (strncasecmp(line, "EHLO", 4) == 0 || strncasecmp(line, "HELO", 4) == 0) {
            s_say(conn, "250 test\r\n");
        } else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
            snprintf(rcpt, sizeof rcpt, "%.500s", line + 8);
            rcpt[strcspn(rcpt, "\r\n")] = '\0';
            s_say(conn, "250 OK\r\n");
        } else if (strncasecmp(line, "DATA", 4) == 0) {
            s_say(conn, "354 go on\r\n");
            char *message = NULL;
            size_t len = 0;
            FILE *out = open_memstream(&message, &len);
            while (s_line(conn, line, sizeof line) && strcmp(line, ".\r\n") != 0)
                fputs(line[0] == '.' ? line + 1 : line, out);
            fclose(out);
            pthread_mutex_lock(&s->lock);
            if (s->n < SMTP_MAX) {
                s->rcpt[s->n] = strdup(rcpt);
                s->message[s->n] = message;
                s->n++;
            } else {
                free(message);
            }
            pthread_mutex_unlock(&s->lock);
            s_say(conn, "250 OK queued\r\n");
        } else if (strncasecmp(line, "QUIT", 4) == 0) {
            s_say(conn, "221 bye\r\n");
            return;
        } else {
            s_say(conn, "250 OK\r\n"); /* MAIL FROM, RSET, NOOP */
        }
    }
}

static void *s_smtp_main(void *arg)
{
    harness_smtp_t *s = arg;
    while (!s->stop) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int conn = accept(s->fd, NULL, NULL);
        if (conn < 0)
            continue;
        s_smtp_session(s, conn);
        close(conn);
    }
    return NULL;
}

harness_smtp_t *harness_smtp_start(void)
{
    harness_smtp_t *s = calloc(1, sizeof *s);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(s->fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s->fd, 16) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&addr, &len) != 0) {
        perror("smtp");
        exit(1);
    }
    snprintf(s->url, sizeof s->url, "smtp://127.0.0.1:%d", ntohs(addr.sin_port));
    pthread_mutex_init(&s->lock, NULL);
    pthread_create(&s->thread, NULL, s_smtp_main, s);
    return s;
}

const char *harness_smtp_url(harness_smtp_t *s)
{
    return s->url;
}

size_t harness_smtp_wait(harness_smtp_t *s, size_t n, int timeout_ms)
{
    for (int waited = 0;; waited += 20) {
        pthread_mutex_lock(&s->lock);
        size_t have = s->n;
        pthread_mutex_unlock(&s->lock);
        if (have >= n || waited >= timeout_ms)
            return have;
        usleep(20 * 1000);
    }
}

const char *harness_smtp_recipient(harness_smtp_t *s, size_t i)
{
    pthread_mutex_lock(&s->lock);
    const char *r = i < s->n ? s->rcpt[i] : NULL;
    pthread_mutex_unlock(&s->lock);
    return r;
}

const char *harness_smtp_message(harness_smtp_t *s, size_t i)
{
    pthread_mutex_lock(&s->lock);
    const char *m = i < s->n ? s->message[i] : NULL;
    pthread_mutex_unlock(&s->lock);
    return m;
}

void harness_smtp_stop(harness_smtp_t **s_p)
{
    if (!s_p || !*s_p)
        return;
    harness_smtp_t *s = *s_p;
    s->stop = 1;
    pthread_join(s->thread, NULL);
    close(s->fd);
    for (size_t i = 0; i < s->n; i++) {
        free(s->rcpt[i]);
        free(s->message[i]);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
    *s_p = NULL;
}

char *harness_smtp_first_part(const char *message)
{
    const char *start = strstr(message, "Content-Transfer-Encoding: base64\r\n\r\n");
    assert_non_null(start);
    start += strlen("Content-Transfer-Encoding: base64\r\n\r\n");
    const char *end = strstr(start, "--samhand-");
    assert_non_null(end);
    char *b64 = calloc(1, (size_t)(end - start) + 1);
    size_t n = 0;
    for (const char *p = start; p < end; p++)
        if (*p != '\r' && *p != '\n')
            b64[n++] = *p;
    unsigned char *text = calloc(1, n + 1);
    int len = EVP_DecodeBlock(text, (unsigned char *)b64, (int)n);
    assert_true(len > 0);
    free(b64);
    return (char *)text;
}
