/* Fibers: many straight-line tasks taking turns on one thread.
 *
 * A service handles each request on a fiber of its own. Where a handler
 * would block (waiting for PostgreSQL's answer, for a free connection, for
 * a socket), the fiber gives the thread back to the loop, which runs the
 * others and resumes it when what it waits for is ready. Handlers read as
 * ordinary blocking code; nothing else in the process blocks for them.
 *
 * Everything here is per thread: a thread that calls fiber_loop_run() owns
 * its fibers, and fibers never move between threads. Outside a fiber the
 * waiting functions block the thread as poll() would, so the same code
 * (samhand_db.c) serves fibers and plain threads.
 *
 * A wait may end early (fiber_wake asks a fiber to look again: to stop,
 * say); every waiting caller checks what it waited for and waits again.
 *
 * Built on glibc's makecontext/swapcontext, with the AddressSanitizer's
 * stack-switch annotations when it is on. */
#ifndef SAMHAND_FIBER_H
#define SAMHAND_FIBER_H

#include <stdbool.h>
#include <stddef.h>
#include <zmq.h>

typedef struct fiber fiber_t;

/* Starts fn(arg) on a new fiber of this thread's loop; it first runs when
 * the loop next turns. NULL when out of memory. */
fiber_t *fiber_spawn(void (*fn)(void *), void *arg);

/* True inside a fiber (as opposed to the loop itself or a plain thread). */
bool fiber_active(void);

/* The running fiber, or NULL outside one. */
fiber_t *fiber_self(void);

/* Waits until `fd` (a file descriptor), or `socket` (a libzmq socket,
 * non-NULL; `fd` is then ignored), is ready for `events` (ZMQ_POLLIN,
 * ZMQ_POLLOUT), for at most `timeout_ms` (-1: no limit). Returns the ready
 * events; 0 on timeout or when fiber_wake() ended the wait early. Outside
 * a fiber it blocks the thread in zmq_poll. */
int fiber_wait(void *socket, int fd, short events, int timeout_ms);

/* zmq_poll for a fiber: waits until one of `items` is ready or
 * `timeout_ms` passes (-1: no limit), and sets their revents. Returns how
 * many are ready; 0 on timeout or when fiber_wake() ended the wait early. */
int fiber_poll(zmq_pollitem_t *items, int n, int timeout_ms);

/* Sleeps `ms` milliseconds (other fibers run meanwhile). */
void fiber_sleep(int ms);

/* Suspends the running fiber until fiber_wake() is called for it (at
 * once if it was called since the fiber last ran). */
void fiber_park(void);
/* Makes a parked or waiting fiber runnable (a wait then returns 0); it runs
 * when the loop next turns. */
void fiber_wake(fiber_t *fiber);

/* Runs this thread's fibers until every one has finished. */
void fiber_loop_run(void);

/* One pointer of the running fiber's own (NULL at its start), for state
 * that would otherwise be per thread: the log's request id. */
void fiber_set_local(void *value);
void *fiber_local(void);

/* How many fibers this thread has, running or waiting. */
size_t fiber_count(void);

#endif
