/* Review probe (wave-review): agenda_pdf_module.c loads the PDF renderer
 * once. When the library it opens lacks the drawing functions (an old or
 * wrong samhand-agenda-pdf.so, or a wrong SAMHAND_AGENDA_PDF_MODULE), the
 * first PDF is refused as it should be, but s_load() then answers "loaded"
 * to every later call (it asks only whether dlopen gave a handle), and the
 * second PDF calls a NULL function pointer: agenda dies on the next
 * GET /v1/meetings/{id}/notice.pdf, a public route. Fails until every
 * later call is refused too. */
#include "harness.h"
#include "agenda_minutes_pdf.h"
#include "agenda_notice_pdf.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_a_module_without_the_drawing_is_refused_every_time(void **state)
{
    (void)state;
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        signal(SIGSEGV, SIG_DFL); /* not cmocka's handler: the parent tells */
        /* a library that loads, and has neither drawing function */
        setenv("SAMHAND_AGENDA_PDF_MODULE", "libm.so.6", 1);
        agenda_notice_t notice;
        memset(&notice, 0, sizeof notice);
        size_t len = 0;
        const char *error = NULL;
        for (int i = 0; i < 2; i++)
            if (agenda_notice_pdf(&notice, &len, &error) != NULL || !error)
                _exit(2);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    if (WIFSIGNALED(status))
        fail_msg("the second PDF after a module without agenda_notice_pdf_draw was refused "
                 "crashed the process (signal %d)",
                 WTERMSIG(status));
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_module_without_the_drawing_is_refused_every_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
