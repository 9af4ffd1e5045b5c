/* The follow-up item's table of open actions rendered from data alone,
 * against known text: one line an action, its number, description,
 * responsible, status and due date (overdue marked), as the seed notices'
 * «Oppfølging av tiltak» have it; none open said so; and the names of the
 * statuses. */
#include "agenda_action_text.h"
#include "harness.h"

#include <stdlib.h>
#include <string.h>

static void s_action(Samhand__V1__Action *a, int number, const char *description,
                     const char *responsible, int status, const char *due_date, bool is_overdue)
{
    samhand__v1__action__init(a);
    a->number = number;
    a->description = (char *)description;
    a->responsible = (char *)responsible;
    a->status = status;
    a->due_date = (char *)due_date;
    a->is_overdue = is_overdue;
}

static void test_table_of_open_actions_is_the_known_text(void **state)
{
    (void)state;
    Samhand__V1__Action actions[3];
    s_action(&actions[0], 2, "Plan for oppfølging av anbefalte tiltak", "AU",
             SAMHAND__V1__ACTION__STATUS__OPEN, "2031-06-30", false);
    s_action(&actions[1], 4, "Revidere retningslinje for innleggelse", "",
             SAMHAND__V1__ACTION__STATUS__IN_PROGRESS, "2023-01-15", true);
    s_action(&actions[2], 7, "Sak 3/23", "Sekretariatet", SAMHAND__V1__ACTION__STATUS__OPEN, "",
             false);
    Samhand__V1__Action *const list[] = {&actions[0], &actions[1], &actions[2]};
    char *text = agenda_action_table_text(list, 3);
    assert_string_equal(text, "Nr. 2: Plan for oppfølging av anbefalte tiltak – Ansvar: AU – "
                              "Status: Åpen – Frist: 30.06.2031\n"
                              "Nr. 4: Revidere retningslinje for innleggelse – Status: Pågår – "
                              "Frist: 15.01.2023 (forfalt)\n"
                              "Nr. 7: Sak 3/23 – Ansvar: Sekretariatet – Status: Åpen");
    free(text);
}

static void test_no_open_actions_says_so(void **state)
{
    (void)state;
    char *text = agenda_action_table_text(NULL, 0);
    assert_string_equal(text, "Ingen åpne tiltak.");
    free(text);
}

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(agenda_action_status_text(SAMHAND__V1__ACTION__STATUS__OPEN), "Åpen");
    assert_string_equal(agenda_action_status_text(SAMHAND__V1__ACTION__STATUS__IN_PROGRESS),
                        "Pågår");
    assert_string_equal(agenda_action_status_text(SAMHAND__V1__ACTION__STATUS__DONE), "Utført");
    assert_string_equal(agenda_action_status_text(SAMHAND__V1__ACTION__STATUS__CANCELLED),
                        "Avbrutt");
    assert_string_equal(agenda_action_status_text(0), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_of_open_actions_is_the_known_text),
        cmocka_unit_test(test_no_open_actions_says_so),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
