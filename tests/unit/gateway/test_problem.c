/* Problems: status table, JSON field names, RFC 9457 members. */
#include "harness.h"
#include "gateway_problem.h"

static void test_status_table(void **state)
{
    assert_int_equal(gateway_problem_http_status(BUS_INVALID_ARGUMENT), 400);
    assert_int_equal(gateway_problem_http_status(BUS_NOT_FOUND), 404);
    assert_int_equal(gateway_problem_http_status(BUS_ALREADY_EXISTS), 409);
    assert_int_equal(gateway_problem_http_status(BUS_UNAVAILABLE), 503);
    assert_int_equal(gateway_problem_http_status(BUS_DEADLINE_EXCEEDED), 504);
    assert_int_equal(gateway_problem_http_status(BUS_INTERNAL), 500);
}

static void test_field_in_json_spelling(void **state)
{
    json_t *p = gateway_problem_new(400, "organization_number must be 9 digits",
                                    "organization_number", "r1");
    assert_string_equal(json_string_value(json_object_get(p, "title")), "Bad Request");
    assert_int_equal(json_integer_value(json_object_get(p, "status")), 400);
    assert_string_equal(json_string_value(json_object_get(p, "detail")),
                        "organizationNumber must be 9 digits");
    assert_string_equal(json_string_value(json_object_get(p, "requestId")), "r1");
    json_t *error = json_array_get(json_object_get(p, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(error, "field")), "organizationNumber");
    json_decref(p);

    p = gateway_problem_new(400, "bad", "items[2].short_name", NULL);
    error = json_array_get(json_object_get(p, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(error, "field")), "items[2].shortName");
    json_decref(p);
}

/* Asked for in bokmål, a problem speaks it: the messages the table knows,
 * with their field and values kept, and a plain Norwegian sentence for the
 * rest, never the English. */
static void test_in_bokmal(void **state)
{
    json_t *p = gateway_problem_new(400, "end_time must be after start_time", "end_time", "r1");
    gateway_problem_in_bokmal(p);
    assert_string_equal(json_string_value(json_object_get(p, "title")), "Ugyldig forespørsel");
    assert_string_equal(json_string_value(json_object_get(p, "detail")),
                        "endTime må være etter start_time");
    json_t *error = json_array_get(json_object_get(p, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(error, "field")), "endTime");
    assert_string_equal(json_string_value(json_object_get(error, "detail")),
                        "endTime må være etter start_time");
    json_decref(p);

    p = gateway_problem_new(404, "committee 1234 does not exist", "committee_id", NULL);
    gateway_problem_in_bokmal(p);
    assert_string_equal(json_string_value(json_object_get(p, "detail")),
                        "utvalget 1234 finnes ikke");
    json_decref(p);

    p = gateway_problem_new(400,
                            "title must be text of at most 200 characters without control "
                            "characters",
                            "title", NULL);
    gateway_problem_in_bokmal(p);
    assert_string_equal(json_string_value(json_object_get(p, "detail")),
                        "title må være tekst på høyst 200 tegn, uten kontrolltegn");
    json_decref(p);

    /* the members' side and the archive speak it too */
    p = gateway_problem_new(403,
                            "person 7f1c holds no seat of the committee on the meeting's day "
                            "(chair, vice chair or member)",
                            "person_id", NULL);
    gateway_problem_in_bokmal(p);
    assert_string_equal(json_string_value(json_object_get(p, "detail")),
                        "person 7f1c har ingen plass i utvalget på møtedagen (leder, nestleder "
                        "eller medlem)");
    json_decref(p);
    p = gateway_problem_new(400, "year must be a year written with four digits, e.g. 2023", "year",
                            NULL);
    gateway_problem_in_bokmal(p);
    assert_string_equal(json_string_value(json_object_get(p, "detail")),
                        "year må være et årstall med fire sifre, for eksempel 2023");
    json_decref(p);

    /* the particular before the general: no English left in a run */
    p = gateway_problem_new(400, "comment (the information) is required", "comment", NULL);
    gateway_problem_in_bokmal(p);
    assert_string_equal(json_string_value(json_object_get(p, "detail")),
                        "comment (opplysningene) må fylles ut");
    json_decref(p);
    p = gateway_problem_new(400, "position must be from 1 to 4, or 0 for the end", "position",
                            NULL);
    gateway_problem_in_bokmal(p);
    assert_string_equal(json_string_value(json_object_get(p, "detail")),
                        "position må være fra 1 til 4, eller 0 for slutten");
    json_decref(p);

    /* the field's name as the API spells it, in the text the table knows */
    p = gateway_problem_new(400,
                            "exemption_basis (the legal basis, e.g. offl. § 13) is required for "
                            "an item exempt from public access",
                            "exemption_basis", NULL);
    gateway_problem_in_bokmal(p);
    assert_string_equal(json_string_value(json_object_get(p, "detail")),
                        "exemptionBasis (hjemmelen, f.eks. offl. § 13) må fylles ut for en sak "
                        "unntatt offentlighet");
    json_decref(p);

    /* one the table lacks: Norwegian all the same, naming the field */
    p = gateway_problem_new(409, "the moon is made of cheese", "state", NULL);
    gateway_problem_in_bokmal(p);
    assert_string_equal(json_string_value(json_object_get(p, "title")), "Konflikt");
    assert_string_equal(json_string_value(json_object_get(p, "detail")),
                        "dette kan ikke gjøres slik saken står nå (gjelder state)");
    json_decref(p);
    p = gateway_problem_new(400, "submitter_name is too green", "submitter_name", NULL);
    gateway_problem_in_bokmal(p);
    assert_string_equal(json_string_value(json_object_get(p, "detail")),
                        "submitterName er ikke gyldig");
    error = json_array_get(json_object_get(p, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(error, "field")), "submitterName");
    json_decref(p);
    p = gateway_problem_new(400, "the moon is made of cheese", NULL, NULL);
    gateway_problem_in_bokmal(p);
    assert_string_equal(json_string_value(json_object_get(p, "detail")),
                        "noe i forespørselen er ikke gyldig");
    json_decref(p);
}

/* The one place that decides: Norwegian first (nb, no, nn, with a region
 * or a weight) is bokmål; anything else, or nothing, English. */
static void test_wants_bokmal(void **state)
{
    static const char *const yes[] = {"nb", "nb-NO", " no;q=0.9", "nn,en", "NB"};
    static const char *const no[] = {"en", "en-GB,nb", "nbx", "n", "", "de-nb"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(gateway_problem_wants_bokmal(yes[i], strlen(yes[i])));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(gateway_problem_wants_bokmal(no[i], strlen(no[i])));
    assert_false(gateway_problem_wants_bokmal(NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_table),
        cmocka_unit_test(test_field_in_json_spelling),
        cmocka_unit_test(test_in_bokmal),
        cmocka_unit_test(test_wants_bokmal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
