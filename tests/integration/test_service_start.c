/* A service that cannot bind its endpoint (its ROUTER or its event PUB,
 * the port taken by another process) says which and why, and exits with
 * status 1: no abort, no sanitizer report, with CurveZMQ on (whose
 * authentication actor once made czmq abort on that way out). */
#include "harness.h"
#include "samhand_curve.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char s_curve_env[4][80];

static int s_setup(void **state)
{
    char server_public[41], server_secret[41], client_public[41], client_secret[41];
    assert_int_equal(curve_keypair(server_public, server_secret), 0);
    assert_int_equal(curve_keypair(client_public, client_secret), 0);
    snprintf(s_curve_env[0], 80, "SAMHAND_CURVE_SERVER_PUBLIC=%s", server_public);
    snprintf(s_curve_env[1], 80, "SAMHAND_CURVE_SERVER_SECRET=%s", server_secret);
    snprintf(s_curve_env[2], 80, "SAMHAND_CURVE_CLIENT_PUBLIC=%s", client_public);
    snprintf(s_curve_env[3], 80, "SAMHAND_CURVE_CLIENT_SECRET=%s", client_secret);
    return 0;
}

/* A listening TCP socket on a free port of 127.0.0.1: the port is taken. */
static int s_take_port(int *port)
{
    *port = harness_free_port();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)*port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(fd, 1), 0);
    return fd;
}

/* Runs samhand-`service` with `variable` on a taken port; returns its exit
 * status (-signal when a signal ended it) and its stderr in `out`. */
static int s_run_on_taken_port(const char *service, const char *variable, char *out, size_t size)
{
    int port;
    int taken = s_take_port(&port);
    char upper[16], own[96], events[96], taken_env[96], database[400], path[512];
    size_t k = 0;
    for (const char *p = service; *p && k < sizeof upper - 1; p++)
        upper[k++] = (char)(*p - 32);
    upper[k] = '\0';
    snprintf(own, sizeof own, "SAMHAND_%s_ENDPOINT=tcp://127.0.0.1:%d", upper, harness_free_port());
    snprintf(events, sizeof events, "SAMHAND_%s_EVENTS_ENDPOINT=tcp://127.0.0.1:%d", upper,
             harness_free_port());
    snprintf(taken_env, sizeof taken_env, "%s=tcp://127.0.0.1:%d", variable, port);
    snprintf(database, sizeof database, "SAMHAND_DATABASE_URL=%s", harness_service_url(service));
    const char *dir = getenv("SAMHAND_BUILD_DIR");
    snprintf(path, sizeof path, "%s/samhand-%s", dir && *dir ? dir : ".", service);

    int pipe_fds[2];
    assert_int_equal(pipe(pipe_fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipe_fds[1], 2);
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        close(taken);
        unsetenv("SAMHAND_BUS_PLAIN");
        putenv(database);
        putenv(own);
        putenv(events);
        putenv(taken_env); /* after its own: the taken one wins */
        for (int i = 0; i < 4; i++)
            putenv(s_curve_env[i]);
        putenv("SAMHAND_SECRET_KEY=" HARNESS_SECRET_KEY);
        execl(path, path, (char *)NULL);
        _exit(127);
    }
    close(pipe_fds[1]);
    /* a service that goes on serving without its endpoint is killed
     * after 30 s, and fails the test */
    size_t len = 0;
    ssize_t n = 1;
    for (int waited_ms = 0; n > 0 && waited_ms < 30000;) {
        struct pollfd item = {.fd = pipe_fds[0], .events = POLLIN};
        if (poll(&item, 1, 100) == 0) {
            waited_ms += 100;
            continue;
        }
        char rest[4096];
        n = len + 1 < size ? read(pipe_fds[0], out + len, size - 1 - len)
                           : read(pipe_fds[0], rest, sizeof rest);
        if (n > 0 && len + 1 < size)
            len += (size_t)n;
    }
    out[len] = '\0';
    if (n > 0)
        kill(pid, SIGKILL);
    close(pipe_fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    close(taken);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

static void s_expect_clean_failure(const char *service, const char *variable, const char *says)
{
    static char out[1 << 16];
    int status = s_run_on_taken_port(service, variable, out, sizeof out);
    if (status != 1 || !strstr(out, says) || strstr(out, "Assertion") || strstr(out, "Sanitizer"))
        fprintf(stderr, "samhand-%s with %s taken: status %d\n%s\n", service, variable, status,
                out);
    assert_int_equal(status, 1);
    assert_non_null(strstr(out, says));
    assert_non_null(strstr(out, "Address already in use"));
    assert_null(strstr(out, "Assertion"));
    assert_null(strstr(out, "Sanitizer"));
}

static void test_a_taken_router_endpoint_stops_the_service_cleanly(void **state)
{
    s_expect_clean_failure("agenda", "SAMHAND_AGENDA_ENDPOINT", "could not bind tcp://");
    s_expect_clean_failure("deviation", "SAMHAND_DEVIATION_ENDPOINT", "could not bind tcp://");
    s_expect_clean_failure("notify", "SAMHAND_NOTIFY_ENDPOINT", "could not bind tcp://");
}

static void test_a_taken_event_endpoint_stops_the_service_cleanly(void **state)
{
    s_expect_clean_failure("agenda", "SAMHAND_AGENDA_EVENTS_ENDPOINT",
                           "could not bind the event endpoint tcp://");
    s_expect_clean_failure("notify", "SAMHAND_NOTIFY_EVENTS_ENDPOINT",
                           "could not bind the event endpoint tcp://");
}

int main(void)
{
    harness_database_url();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_taken_router_endpoint_stops_the_service_cleanly),
        cmocka_unit_test(test_a_taken_event_endpoint_stops_the_service_cleanly),
    };
    return cmocka_run_group_tests(tests, s_setup, NULL);
}
