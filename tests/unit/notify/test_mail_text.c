/* The texts of notify's mails rendered from data alone, against known
 * text: the notice mail that carries its PDF, a new deviation to the
 * receiver's shared address (with and without an acknowledgement
 * deadline), the receipt and the answer to the reporter, a proposal
 * placed and declined, a subscription's trouble to its contact, the
 * daily reminder digest, and a report waiting for its leader, every name
 * escaped. */
#include "harness.h"
#include "notify_mail_text.h"

#include <stdlib.h>
#include <string.h>

#define HEAD "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"></head><body>\n"
#define START 1675857600LL /* 08.02.2023 13.00 in Oslo (CET) */

static void test_notice_mail_with_its_pdf(void **state)
{
    (void)state;
    Samhand__V1__Timestamp start = SAMHAND__V1__TIMESTAMP__INIT;
    start.seconds = START;
    Samhand__V1__Meeting m = SAMHAND__V1__MEETING__INIT;
    m.start_time = &start;
    char *html = notify_mail_text_document("notice", &m, "ASU", "Innkalling ASU 08.02.2023.pdf",
                                           true, "https://samhand.example");
    assert_string_equal(html, HEAD "<p>Vedlagt er innkallingen til møtet i ASU 08.02.2023 kl. "
                                   "13.00 (Innkalling ASU 08.02.2023.pdf), og møtet er lagt ved "
                                   "som kalenderhendelse.</p>\n"
                                   "<p>Møtet og dokumentene finner du også i samhand: <a "
                                   "href=\"https://samhand.example/mine-moter.html\">"
                                   "https://samhand.example/mine-moter.html</a>.</p>\n"
                                   "<p>Hilsen samhand</p>\n</body></html>\n");
    free(html);
    html = notify_mail_text_document("minutes", &m, "R&D", "Referat.pdf", false, NULL);
    assert_string_equal(html, HEAD "<p>Vedlagt er referatet fra møtet i R&amp;D 08.02.2023 kl. "
                                   "13.00 (Referat.pdf).</p>\n"
                                   "<p>Hilsen samhand</p>\n</body></html>\n");
    free(html);
}

static void test_deviation_mails(void **state)
{
    (void)state;
    Samhand__V1__Deadline acknowledge = SAMHAND__V1__DEADLINE__INIT;
    Samhand__V1__Deadline answer = SAMHAND__V1__DEADLINE__INIT;
    acknowledge.due_date = "2023-02-10";
    answer.due_date = "2023-03-08";
    Samhand__V1__DeviationReport r = SAMHAND__V1__DEVIATION_REPORT__INIT;
    r.reference = "AVV-2023-0007";
    r.acknowledge_deadline = &acknowledge;
    r.answer_deadline = &answer;
    r.answer = "Rutinen er endret <fra 1. mars>.";
    char *html = notify_mail_text_deviation_received(&r, "Frosta kommune");
    assert_string_equal(html, HEAD "<p>Dere har mottatt avviksmelding <strong>AVV-2023-0007"
                                   "</strong> fra Frosta kommune. Den skal bekreftes innen "
                                   "10.02.2023 og besvares innen 08.03.2023.</p>\n"
                                   "<p>Les og behandle meldingen i samhand.</p>\n"
                                   "<p>Hilsen samhand</p>\n</body></html>\n");
    free(html);
    html = notify_mail_text_deviation_receipt(&r);
    assert_string_equal(html, HEAD "<p>Avviksmeldingen din er registrert med referanse <strong>"
                                   "AVV-2023-0007</strong>. Mottakeren skal bekrefte den innen "
                                   "10.02.2023 og svare innen 08.03.2023.</p>\n"
                                   "<p>Hilsen samhand</p>\n</body></html>\n");
    free(html);
    /* a partnership without an acknowledgement deadline */
    r.acknowledge_deadline = NULL;
    html = notify_mail_text_deviation_received(&r, "Frosta kommune");
    assert_non_null(strstr(html, "fra Frosta kommune. Den skal besvares innen 08.03.2023.</p>"));
    free(html);
    html = notify_mail_text_deviation_receipt(&r);
    assert_non_null(strstr(html, "</strong>. Mottakeren skal svare innen 08.03.2023.</p>"));
    free(html);
    html = notify_mail_text_deviation_answer(&r);
    assert_string_equal(html, HEAD "<p>Avviksmelding <strong>AVV-2023-0007</strong> er besvart:"
                                   "</p>\n<blockquote>Rutinen er endret &lt;fra 1. mars&gt;."
                                   "</blockquote>\n<p>Er du ikke enig i svaret, kan du bestride "
                                   "det i samhand.</p>\n<p>Hilsen samhand</p>\n</body></html>\n");
    free(html);
}

static void test_proposal_mails(void **state)
{
    (void)state;
    Samhand__V1__Timestamp start = SAMHAND__V1__TIMESTAMP__INIT;
    start.seconds = START;
    Samhand__V1__Proposal p = SAMHAND__V1__PROPOSAL__INIT;
    p.title = "Felles rutine for utskrivning";
    p.meeting_start_time = &start;
    p.decline_reason = "Ligger utenfor mandatet.";
    char *subject = NULL, *html = NULL;
    notify_mail_text_proposal(&p, true, "ASU", &subject, &html);
    assert_string_equal(subject, "Innmeldt sak satt på sakslisten: Felles rutine for utskrivning");
    assert_string_equal(html, HEAD "<p>Saken «Felles rutine for utskrivning», som du meldte inn "
                                   "til ASU, er satt på sakslisten til møtet 08.02.2023 kl. "
                                   "13.00.</p>\n<p>Du kan følge saken i samhand.</p>\n"
                                   "<p>Hilsen samhand</p>\n</body></html>\n");
    free(subject);
    free(html);
    notify_mail_text_proposal(&p, false, "ASU", &subject, &html);
    assert_string_equal(subject, "Innmeldt sak avslått: Felles rutine for utskrivning");
    assert_string_equal(html, HEAD "<p>Saken «Felles rutine for utskrivning», som du meldte inn "
                                   "til ASU, blir ikke tatt opp. Begrunnelse:</p>\n"
                                   "<blockquote>Ligger utenfor mandatet.</blockquote>\n"
                                   "<p>Du kan følge saken i samhand.</p>\n"
                                   "<p>Hilsen samhand</p>\n</body></html>\n");
    free(subject);
    free(html);
}

static void test_subscription_mail(void **state)
{
    (void)state;
    char *html = notify_mail_text_subscription("samhand får ikke levert hendelser til",
                                               "https://ehr.example/hooks?a=1&b=2", "EPJ",
                                               "mottakeren svarte 503", "<p>Slutt.</p>\n");
    assert_string_equal(html, HEAD "<p>samhand får ikke levert hendelser til <code>"
                                   "https://ehr.example/hooks?a=1&amp;b=2</code> (EPJ): "
                                   "mottakeren svarte 503.</p>\n<p>Slutt.</p>\n"
                                   "<p>Hilsen samhand</p>\n</body></html>\n");
    free(html);
    const char *opening = "samhand har slått av abonnementet som sender hendelser til";
    html = notify_mail_text_subscription(opening, "https://ehr.example/hooks", "",
                                         "mottakeren svarte 410 Gone", "");
    assert_string_equal(html, HEAD "<p>samhand har slått av abonnementet som sender hendelser "
                                   "til <code>https://ehr.example/hooks</code>: mottakeren svarte "
                                   "410 Gone.</p>\n<p>Hilsen samhand</p>\n</body></html>\n");
    free(html);
}

static void test_reminder_digest(void **state)
{
    (void)state;
    notify_due_t due[3] = {
        {.title = "Tiltak 2: Plan for oppfølging", .due_date = "2026-11-20", .is_overdue = true},
        {.title = "Avvik AVV-2026-0012 <besvares>", .due_date = "2026-12-03"},
        {.title = "Tiltak 5: Ny rutine", .due_date = "2026-12-04"},
    };
    char *subject = NULL, *html = NULL;
    notify_mail_text_digest(due, 3, "2026-12-01", &subject, &html);
    assert_string_equal(subject, "Påminnelse 01.12.2026: 1 frist passert, 2 forfaller snart");
    assert_string_equal(html, HEAD "<p>Dette er fristene i samhand som gjelder dere.</p>\n"
                                   "<h2>Fristen er passert</h2>\n<ul>\n"
                                   "<li>Tiltak 2: Plan for oppfølging – frist 20.11.2026</li>\n"
                                   "</ul>\n<h2>Forfaller snart</h2>\n<ul>\n"
                                   "<li>Avvik AVV-2026-0012 &lt;besvares&gt; – frist 03.12.2026"
                                   "</li>\n<li>Tiltak 5: Ny rutine – frist 04.12.2026</li>\n"
                                   "</ul>\n<p>Følg opp i samhand. Du får én slik oversikt per "
                                   "dag så lenge noe forfaller.</p>\n"
                                   "<p>Hilsen samhand</p>\n</body></html>\n");
    free(subject);
    free(html);
    notify_mail_text_digest(due + 2, 1, "2026-12-01", &subject, &html);
    assert_string_equal(subject, "Påminnelse 01.12.2026: 1 frist forfaller snart");
    assert_null(strstr(html, "Fristen er passert"));
    free(subject);
    free(html);
}

static void test_review_mail(void **state)
{
    (void)state;
    Samhand__V1__DeviationReport r = SAMHAND__V1__DEVIATION_REPORT__INIT;
    r.id = "7b1c2f4e-0000-4000-8000-000000000001";
    r.type = SAMHAND__V1__DEVIATION_REPORT__TYPE__BREACH_OF_AGREEMENT;
    r.description = "Epikrisen til Kari kom ikke.";
    char *subject = NULL, *html = NULL;
    notify_mail_text_review(&r, "Levanger kommune", "Sykehuset <HNT>", "https://samhand.example",
                            &subject, &html);
    assert_string_equal(subject, "Avviksmelding venter på godkjenning: Levanger kommune");
    assert_string_equal(html, HEAD "<p>En avviksmelding fra Levanger kommune til Sykehuset "
                                   "&lt;HNT&gt; venter på godkjenning hos leder før den sendes. "
                                   "Godkjenn den, eller send den tilbake med det som må "
                                   "endres.</p>\n"
                                   "<p>Åpne den i samhand: <a href=\"https://samhand.example/"
                                   "#avvik-7b1c2f4e-0000-4000-8000-000000000001\">"
                                   "https://samhand.example/"
                                   "#avvik-7b1c2f4e-0000-4000-8000-000000000001</a>.</p>\n"
                                   "<p>Hilsen samhand</p>\n</body></html>\n");
    free(subject);
    free(html);
    r.type = SAMHAND__V1__DEVIATION_REPORT__TYPE__IMPROVEMENT_PROPOSAL;
    notify_mail_text_review(&r, "Levanger kommune", "HNT", NULL, &subject, &html);
    assert_string_equal(subject, "Forbedringsforslag venter på godkjenning: Levanger kommune");
    assert_non_null(strstr(html, "<p>Et forbedringsforslag fra Levanger kommune til HNT venter"));
    assert_non_null(strstr(html, "blant meldingene til godkjenning"));
    assert_null(strstr(html, "Kari")); /* nothing of what it says */
    free(subject);
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notice_mail_with_its_pdf), cmocka_unit_test(test_deviation_mails),
        cmocka_unit_test(test_proposal_mails),           cmocka_unit_test(test_subscription_mail),
        cmocka_unit_test(test_reminder_digest),          cmocka_unit_test(test_review_mail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
