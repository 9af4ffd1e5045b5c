/* deviation_analysis_html: the final report (sluttrapport) of a joint
 * analysis as the parties read it: in bokmål, the parties by name, the
 * timeline in the order written with Oslo times, each cause by its
 * category's Norwegian name, the measures with owner, due date and state,
 * marked a draft until final, and every text escaped. */
#include "harness.h"
#include "deviation_analysis.h"

#include <stdlib.h>
#include <string.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"

static void test_every_category_has_a_norwegian_name(void **state)
{
    const ProtobufCEnumDescriptor *d = &samhand__v1__analysis_cause__category__descriptor;
    for (unsigned i = 0; i < d->n_values; i++) {
        const char *label = deviation_analysis_category_label(d->values[i].value);
        if (d->values[i].value == 0)
            assert_string_equal(label, "");
        else
            assert_true(strlen(label) > 0);
    }
    assert_string_equal(
        deviation_analysis_category_label(SAMHAND__V1__ANALYSIS_CAUSE__CATEGORY__EQUIPMENT_IT),
        "Teknisk utstyr og IKT");
    assert_string_equal(deviation_analysis_category_label(99), "");
}

static void test_the_final_report_in_bokmal(void **state)
{
    Samhand__V1__AnalysisParticipant p = SAMHAND__V1__ANALYSIS_PARTICIPANT__INIT;
    p.name = "Berit <Sengepost>";
    p.role = "Avdelingssykepleier";
    p.organization_id = SYKEHUS;
    Samhand__V1__AnalysisParticipant *participants[] = {&p};
    /* two moments of November 2026 (Oslo is UTC+1), the later written first */
    Samhand__V1__Timestamp t1 = SAMHAND__V1__TIMESTAMP__INIT, t2 = SAMHAND__V1__TIMESTAMP__INIT;
    t1.seconds = 1793624400; /* 2026-11-02T13:00:00Z: 14.00 in Oslo */
    t2.seconds = 1793534400; /* 2026-11-01T12:00:00Z: 13.00 in Oslo */
    Samhand__V1__AnalysisTimelineEntry e1 = SAMHAND__V1__ANALYSIS_TIMELINE_ENTRY__INIT,
                                       e2 = SAMHAND__V1__ANALYSIS_TIMELINE_ENTRY__INIT;
    e1.time = &t1;
    e1.description = "Hjemmesykepleien finner ingen epikrise.";
    e2.time = &t2;
    e2.description = "Pasienten skrives ut.";
    Samhand__V1__AnalysisTimelineEntry *timeline[] = {&e1, &e2};
    Samhand__V1__AnalysisCause c = SAMHAND__V1__ANALYSIS_CAUSE__INIT;
    c.category = SAMHAND__V1__ANALYSIS_CAUSE__CATEGORY__COMMUNICATION;
    c.description = "Epikrisen ble ikke sendt.";
    Samhand__V1__AnalysisCause *causes[] = {&c};
    char *findings[] = {"Ingen fast rutine ved helg."};
    Samhand__V1__AnalysisMeasure m1 = SAMHAND__V1__ANALYSIS_MEASURE__INIT,
                                 m2 = SAMHAND__V1__ANALYSIS_MEASURE__INIT;
    m1.description = "Innføre sjekkliste";
    m1.owner_organization_id = SYKEHUS;
    m1.owner_person = "Berit Sengepost";
    m1.due_date = "2027-01-31";
    m1.state = SAMHAND__V1__ANALYSIS_MEASURE__STATE__DONE;
    m1.done_time = &t1;
    m2.description = "Opplæring";
    m2.owner_organization_id = KOMMUNE;
    m2.due_date = "2027-03-01";
    m2.state = SAMHAND__V1__ANALYSIS_MEASURE__STATE__OPEN;
    Samhand__V1__AnalysisMeasure *measures[] = {&m1, &m2};

    Samhand__V1__JointAnalysis a = SAMHAND__V1__JOINT_ANALYSIS__INIT;
    a.deviation_id = "0d8c2f7e-5b7a-4c1e-9d6f-2a1b3c4d5e6f";
    a.deviation_reference = "AVV-2026-0007";
    a.reporting_organization_id = KOMMUNE;
    a.receiving_organization_id = SYKEHUS;
    a.state = SAMHAND__V1__JOINT_ANALYSIS__STATE__IN_PROGRESS;
    a.summary = "Utskrevet uten epikrise.";
    a.n_participants = 1;
    a.participants = participants;
    a.n_timeline = 2;
    a.timeline = timeline;
    a.n_causes = 1;
    a.causes = causes;
    a.n_findings = 1;
    a.findings = findings;
    a.n_measures = 2;
    a.measures = measures;
    deviation_analysis_names_t names = {"Frosta kommune", "St. Olavs hospital HF",
                                        "Epikrise mangler"};

    char *html = deviation_analysis_html(&a, &names);
    assert_non_null(strstr(html, "<html lang=\"nb\">"));
    assert_non_null(strstr(html, "<title>Sluttrapport, felles hendelsesanalyse AVV-2026-0007"));
    assert_non_null(strstr(html, "<strong>Utkast:</strong>"));
    assert_non_null(strstr(html, "<dt>Kategori</dt><dd>Epikrise mangler</dd>"));
    assert_non_null(strstr(html, "<dt>Meldende virksomhet</dt><dd>Frosta kommune</dd>"));
    assert_non_null(strstr(html, "<dt>Mottakende virksomhet</dt><dd>St. Olavs hospital HF</dd>"));
    assert_non_null(strstr(html, "<td>Berit &lt;Sengepost&gt;</td><td>Avdelingssykepleier</td>"
                                 "<td>St. Olavs hospital HF</td>"));
    /* the timeline as written, not re-sorted */
    char *later = strstr(html, "<td>02.11.2026 kl. 14.00</td><td>Hjemmesykepleien");
    char *earlier = strstr(html, "<td>01.11.2026 kl. 13.00</td><td>Pasienten skrives ut.");
    assert_non_null(later);
    assert_non_null(earlier);
    assert_true(later < earlier);
    assert_non_null(strstr(html, "<td>Kommunikasjon og informasjonsoverføring</td>"
                                 "<td>Epikrisen ble ikke sendt.</td>"));
    assert_non_null(strstr(html, "<ol>\n<li>Ingen fast rutine ved helg.</li>\n</ol>"));
    assert_non_null(strstr(html, "<td>Innføre sjekkliste</td><td>St. Olavs hospital HF (Berit "
                                 "Sengepost)</td><td>31.01.2027</td><td>Utført 02.11.2026 kl. "
                                 "14.00</td>"));
    assert_non_null(strstr(html, "<td>Opplæring</td><td>Frosta kommune</td><td>01.03.2027</td>"
                                 "<td>Åpen</td>"));
    free(html);

    /* final: the date it was finalised, no draft mark */
    Samhand__V1__Timestamp final = SAMHAND__V1__TIMESTAMP__INIT;
    final.seconds = 1796722200; /* 2026-12-08T09:30:00Z: 10.30 in Oslo */
    a.state = SAMHAND__V1__JOINT_ANALYSIS__STATE__FINAL;
    a.final_time = &final;
    html = deviation_analysis_html(&a, &names);
    assert_non_null(strstr(html, "<p>Ferdigstilt 08.12.2026 kl. 10.30.</p>"));
    assert_null(strstr(html, "Utkast"));
    free(html);
}

static void test_an_empty_analysis_says_so(void **state)
{
    Samhand__V1__JointAnalysis a = SAMHAND__V1__JOINT_ANALYSIS__INIT;
    a.deviation_id = "0d8c2f7e-5b7a-4c1e-9d6f-2a1b3c4d5e6f";
    a.reporting_organization_id = KOMMUNE;
    a.receiving_organization_id = SYKEHUS;
    deviation_analysis_names_t names = {NULL, NULL, NULL};
    char *html = deviation_analysis_html(&a, &names);
    /* the report's id while it has no reference, the parties' ids unnamed */
    assert_non_null(strstr(html, "<dd>0d8c2f7e-5b7a-4c1e-9d6f-2a1b3c4d5e6f</dd>"));
    assert_non_null(strstr(html, "<dd>" KOMMUNE "</dd>"));
    assert_non_null(strstr(html, "<p>Ikke skrevet.</p>"));
    assert_non_null(strstr(html, "<p>Ingen deltakere oppgitt.</p>"));
    assert_non_null(strstr(html, "<p>Ingen tiltak.</p>"));
    assert_null(strstr(html, "<dt>Kategori</dt>"));
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_category_has_a_norwegian_name),
        cmocka_unit_test(test_the_final_report_in_bokmal),
        cmocka_unit_test(test_an_empty_analysis_says_so),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
