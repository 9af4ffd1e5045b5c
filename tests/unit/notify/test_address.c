/* The webhook address guard: loopback is refused unless allowed (tests, a
 * developer's receiver), this machine's own addresses likewise, link-local
 * (a cloud's metadata service) and unspecified addresses always, and so
 * is anything that is no address; a URL whose host is an address in any
 * spelling the system reads as one is checked as that address, a name is
 * left to the connection. */
#include "harness.h"
#include "notify_server.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>

static void test_loopback_refused_unless_allowed(void **state)
{
    (void)state;
    static const char *const loopback[] = {"127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"};
    for (size_t i = 0; i < sizeof loopback / sizeof loopback[0]; i++) {
        assert_true(notify_address_refused(loopback[i], false));
        assert_false(notify_address_refused(loopback[i], true));
    }
}

static void test_link_local_and_unspecified_always_refused(void **state)
{
    (void)state;
    static const char *const never[] = {
        "169.254.169.254", "169.254.0.1",           "0.0.0.0", "0.1.2.3", "::",
        "fe80::1",         "::ffff:169.254.169.254"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) {
        assert_true(notify_address_refused(never[i], false));
        assert_true(notify_address_refused(never[i], true));
    }
}

static void test_no_address_refused(void **state)
{
    (void)state;
    assert_true(notify_address_refused("", true));
    assert_true(notify_address_refused("mottak.frosta.kommune.no", true));
    assert_true(notify_address_refused("127.0.0.1.", true));
}

static void test_other_machines_accepted(void **state)
{
    (void)state;
    /* documentation addresses, which no interface here has */
    assert_false(notify_address_refused("192.0.2.10", false));
    assert_false(notify_address_refused("198.51.100.7", false));
    assert_false(notify_address_refused("2001:db8::7", false));
    assert_false(notify_address_refused("::ffff:203.0.113.5", false));
}

/* An address of one of this machine's interfaces (not loopback) is this
 * machine as much as 127.0.0.1 is. */
static void test_own_interfaces_refused_unless_allowed(void **state)
{
    (void)state;
    struct ifaddrs *list = NULL;
    assert_int_equal(getifaddrs(&list), 0);
    char ip[INET6_ADDRSTRLEN] = "";
    for (struct ifaddrs *i = list; i && !ip[0]; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET) {
            struct in_addr a = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
            if (ntohl(a.s_addr) >> 24 != 127)
                inet_ntop(AF_INET, &a, ip, sizeof ip);
        }
    freeifaddrs(list);
    if (!ip[0])
        skip(); /* a machine with loopback only */
    assert_true(notify_address_refused(ip, false));
    assert_false(notify_address_refused(ip, true));
}

static void test_url_hosts_in_every_spelling(void **state)
{
    (void)state;
    static const char *const refused[] = {"http://127.0.0.1:8080/hook",
                                          "http://127.1/",
                                          "http://0x7f000001/",
                                          "http://2130706433/",
                                          "http://[::1]:9/x",
                                          "http://0/",
                                          "https://169.254.169.254/latest/meta-data"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_true(notify_url_refused(refused[i], false));
    assert_false(notify_url_refused("http://127.0.0.1:8080/hook", true));
    assert_true(notify_url_refused("http://169.254.169.254/", true));
    /* names are checked where they lead, when a delivery connects */
    assert_false(notify_url_refused("https://mottak.frosta.kommune.no/samhand", false));
    assert_false(notify_url_refused("http://localhost/", false));
    assert_false(notify_url_refused("https://192.0.2.10/hook", false));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loopback_refused_unless_allowed),
        cmocka_unit_test(test_link_local_and_unspecified_always_refused),
        cmocka_unit_test(test_no_address_refused),
        cmocka_unit_test(test_other_machines_accepted),
        cmocka_unit_test(test_own_interfaces_refused_unless_allowed),
        cmocka_unit_test(test_url_hosts_in_every_spelling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
