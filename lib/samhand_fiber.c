/* Fibers on one thread's loop; see samhand_fiber.h. The loop owns the
 * fibers of its thread: a ready queue, the list of those waiting for a
 * socket or a time, and a few stacks kept for reuse. */
#include "samhand_fiber.h"
#include "samhand_log.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <zmq.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define ASAN_START(save, bottom, size) __sanitizer_start_switch_fiber(save, bottom, size)
#define ASAN_FINISH(save, bottom, size) __sanitizer_finish_switch_fiber(save, bottom, size)
#define STACK_SIZE (1024 * 1024) /* the sanitizer's frames are about twice as large */
#else
#define ASAN_START(save, bottom, size) ((void)(save), (void)(bottom), (void)(size))
#define ASAN_FINISH(save, bottom, size) ((void)(save), (void)(bottom), (void)(size))
#define STACK_SIZE (512 * 1024) /* pango and fontconfig render on it (notice.pdf) */
#endif

#define STACKS_KEPT 32

typedef enum { F_READY, F_RUNNING, F_WAITING, F_PARKED, F_DONE } s_state_t;

struct fiber {
    ucontext_t context;
    char *mapping; /* the stack with its guard page below */
    void (*fn)(void *);
    void *arg;
    s_state_t state;
    bool wake_pending;
    fiber_t *next_ready;
    fiber_t *prev_waiting, *next_waiting;
    /* what it waits for: the caller's items, on its stack meanwhile */
    zmq_pollitem_t *items;
    int n_items, n_ready;
    int64_t deadline_ms; /* -1: none */
    void *asan_fake_stack;
    void *local;
};

static __thread struct {
    ucontext_t context; /* the loop's own */
    fiber_t *current;
    fiber_t *ready_head, *ready_tail;
    fiber_t *waiting; /* head of the doubly linked list */
    size_t n_waiting, count;
    const void *stack_bottom; /* the loop's stack, for the sanitizer */
    size_t stack_size;
    char *stacks[STACKS_KEPT];
    int n_stacks;
    zmq_pollitem_t *items; /* every waiting fiber's, for one zmq_poll */
    size_t items_cap;
} s_loop;

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t s_page(void)
{
    static size_t page;
    if (!page)
        page = (size_t)sysconf(_SC_PAGESIZE);
    return page;
}

static char *s_stack_new(void)
{
    if (s_loop.n_stacks > 0)
        return s_loop.stacks[--s_loop.n_stacks];
    char *mapping = mmap(NULL, STACK_SIZE + s_page(), PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (mapping == MAP_FAILED)
        return NULL;
    /* an overflow faults here instead of writing over the neighbour */
    mprotect(mapping, s_page(), PROT_NONE);
    return mapping;
}

static void s_stack_free(char *mapping)
{
    if (s_loop.n_stacks < STACKS_KEPT)
        s_loop.stacks[s_loop.n_stacks++] = mapping;
    else
        munmap(mapping, STACK_SIZE + s_page());
}

static void s_push_ready(fiber_t *f)
{
    f->state = F_READY;
    f->next_ready = NULL;
    if (s_loop.ready_tail)
        s_loop.ready_tail->next_ready = f;
    else
        s_loop.ready_head = f;
    s_loop.ready_tail = f;
}

static void s_unlink_waiting(fiber_t *f)
{
    if (f->prev_waiting)
        f->prev_waiting->next_waiting = f->next_waiting;
    else
        s_loop.waiting = f->next_waiting;
    if (f->next_waiting)
        f->next_waiting->prev_waiting = f->prev_waiting;
    f->prev_waiting = f->next_waiting = NULL;
    s_loop.n_waiting--;
}

/* From the running fiber back to the loop. */
static void s_yield(void)
{
    fiber_t *f = s_loop.current;
    ASAN_START(f->state == F_DONE ? NULL : &f->asan_fake_stack, s_loop.stack_bottom,
               s_loop.stack_size);
    swapcontext(&f->context, &s_loop.context);
    ASAN_FINISH(f->asan_fake_stack, &s_loop.stack_bottom, &s_loop.stack_size);
}

static void s_trampoline(void)
{
    ASAN_FINISH(NULL, &s_loop.stack_bottom, &s_loop.stack_size);
    fiber_t *f = s_loop.current;
    f->fn(f->arg);
    f->state = F_DONE;
    s_yield(); /* never comes back */
}

/* The context that starts in s_trampoline on the fiber's stack. (Its own
 * function: getcontext returns twice as setjmp does, and nothing of the
 * caller's must live across it.) */
static __attribute__((noinline)) int s_context_new(ucontext_t *context, char *stack)
{
    if (getcontext(context) != 0)
        return -1;
    context->uc_stack.ss_sp = stack;
    context->uc_stack.ss_size = STACK_SIZE;
    context->uc_link = NULL;
    makecontext(context, s_trampoline, 0);
    return 0;
}

fiber_t *fiber_spawn(void (*fn)(void *), void *arg)
{
    fiber_t *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->mapping = s_stack_new();
    if (!f->mapping || s_context_new(&f->context, f->mapping + s_page()) != 0) {
        if (f->mapping)
            s_stack_free(f->mapping);
        free(f);
        return NULL;
    }
    f->fn = fn;
    f->arg = arg;
    f->deadline_ms = -1;
    s_loop.count++;
    s_push_ready(f);
    return f;
}

bool fiber_active(void)
{
    return s_loop.current != NULL;
}

fiber_t *fiber_self(void)
{
    return s_loop.current;
}

void fiber_set_local(void *value)
{
    if (s_loop.current)
        s_loop.current->local = value;
}

void *fiber_local(void)
{
    return s_loop.current ? s_loop.current->local : NULL;
}

size_t fiber_count(void)
{
    return s_loop.count;
}

/* Suspends the running fiber as `state` until the loop makes it ready. */
static void s_suspend(s_state_t state)
{
    fiber_t *f = s_loop.current;
    f->state = state;
    if (state == F_WAITING) {
        f->prev_waiting = NULL;
        f->next_waiting = s_loop.waiting;
        if (s_loop.waiting)
            s_loop.waiting->prev_waiting = f;
        s_loop.waiting = f;
        s_loop.n_waiting++;
    }
    s_yield();
}

int fiber_poll(zmq_pollitem_t *items, int n, int timeout_ms)
{
    fiber_t *f = s_loop.current;
    for (int i = 0; i < n; i++)
        items[i].revents = 0;
    if (!f) {
        int rc;
        do
            rc = zmq_poll(items, n, timeout_ms);
        while (rc < 0 && errno == EINTR);
        return rc > 0 ? rc : 0;
    }
    if (f->wake_pending) {
        f->wake_pending = false;
        return 0;
    }
    f->items = items;
    f->n_items = n;
    f->n_ready = 0;
    f->deadline_ms = timeout_ms < 0 ? -1 : s_now_ms() + timeout_ms;
    s_suspend(F_WAITING);
    f->items = NULL;
    f->n_items = 0;
    return f->n_ready;
}

int fiber_wait(void *socket, int fd, short events, int timeout_ms)
{
    zmq_pollitem_t item = {socket, socket ? 0 : fd, events, 0};
    return fiber_poll(&item, 1, timeout_ms) > 0 ? item.revents : 0;
}

void fiber_sleep(int ms)
{
    if (!s_loop.current) {
        struct timespec pause = {ms / 1000, (long)(ms % 1000) * 1000000L};
        while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
            ;
        return;
    }
    int64_t until = s_now_ms() + ms;
    /* a wake ends a wait early; a sleep sleeps its time */
    for (int64_t left = ms; left > 0; left = until - s_now_ms())
        fiber_poll(NULL, 0, (int)left);
}

void fiber_park(void)
{
    fiber_t *f = s_loop.current;
    assert(f);
    if (f->wake_pending) {
        f->wake_pending = false;
        return;
    }
    s_suspend(F_PARKED);
}

void fiber_wake(fiber_t *f)
{
    switch (f->state) {
    case F_WAITING:
        s_unlink_waiting(f);
        f->n_ready = 0;
        s_push_ready(f);
        break;
    case F_PARKED:
        s_push_ready(f);
        break;
    case F_READY:
    case F_RUNNING:
        f->wake_pending = true;
        break;
    case F_DONE:
        break;
    }
}

static void s_run(fiber_t *f)
{
    void *fake = NULL;
    s_loop.current = f;
    f->state = F_RUNNING;
    ASAN_START(&fake, f->mapping + s_page(), STACK_SIZE);
    swapcontext(&s_loop.context, &f->context);
    ASAN_FINISH(fake, NULL, NULL);
    s_loop.current = NULL;
    if (f->state == F_DONE) {
        s_stack_free(f->mapping);
        free(f);
        s_loop.count--;
    }
}

/* Waits for the sockets and times of the waiting fibers and makes those
 * ready whose wait is over. */
static void s_poll(void)
{
    size_t n = 0;
    int64_t now = s_now_ms(), soonest = -1;
    for (fiber_t *f = s_loop.waiting; f; f = f->next_waiting) {
        if (f->deadline_ms >= 0 && (soonest < 0 || f->deadline_ms < soonest))
            soonest = f->deadline_ms;
        n += (size_t)f->n_items;
    }
    if (n > s_loop.items_cap) {
        size_t cap = n * 2;
        s_loop.items = realloc(s_loop.items, cap * sizeof *s_loop.items);
        assert(s_loop.items);
        s_loop.items_cap = cap;
    }
    n = 0;
    for (fiber_t *f = s_loop.waiting; f; f = f->next_waiting)
        for (int i = 0; i < f->n_items; i++)
            s_loop.items[n++] = f->items[i];
    long timeout = soonest < 0 ? -1 : soonest > now ? (long)(soonest - now) : 0;
    if (n == 0 && timeout < 0) {
        /* fibers parked with no one left to wake them */
        log_error("%zu fibers wait for each other; giving up on them", s_loop.count);
        abort();
    }
    int rc = zmq_poll(s_loop.items, (int)n, timeout);
    if (rc < 0 && errno != EINTR)
        log_warn("zmq_poll: %s", zmq_strerror(errno));
    now = s_now_ms();
    /* the same order as above: each fiber's items in turn */
    n = 0;
    for (fiber_t *f = s_loop.waiting, *next; f; f = next) {
        next = f->next_waiting;
        int ready = 0;
        for (int i = 0; i < f->n_items; i++, n++) {
            f->items[i].revents = rc > 0 ? s_loop.items[n].revents : 0;
            ready += f->items[i].revents != 0;
        }
        if (ready || (f->deadline_ms >= 0 && f->deadline_ms <= now)) {
            s_unlink_waiting(f);
            f->n_ready = ready;
            s_push_ready(f);
        }
    }
}

void fiber_loop_run(void)
{
    assert(!s_loop.current);
    while (s_loop.count > 0) {
        while (s_loop.ready_head) {
            fiber_t *f = s_loop.ready_head;
            s_loop.ready_head = f->next_ready;
            if (!s_loop.ready_head)
                s_loop.ready_tail = NULL;
            s_run(f);
        }
        if (s_loop.count > 0)
            s_poll();
    }
    while (s_loop.n_stacks > 0)
        munmap(s_loop.stacks[--s_loop.n_stacks], STACK_SIZE + s_page());
    free(s_loop.items);
    s_loop.items = NULL;
    s_loop.items_cap = 0;
}
