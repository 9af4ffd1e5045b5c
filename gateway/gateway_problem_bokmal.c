/* Problem details in bokmål, for a caller who asks (Accept-Language): the
 * services' messages by a table of English patterns and their Norwegian
 * forms, and a plain Norwegian sentence for the rest; see
 * gateway_problem.h. */
#include "gateway_problem.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ bokmål */

/* The services' messages in bokmål: an English pattern, where '*' stands
 * for a run of text (a field, an id, a number), and its Norwegian form,
 * where $1 .. $3 are those runs in order. A message the table lacks gets
 * a plain Norwegian sentence for its status, never the English. */
static const struct {
    const char *english, *norwegian;
} s_bokmal[] = {
    /* the first that matches is taken: the particular before the general */
    /* the directory (agenda_organization.c) */
    {"an organization's addresses are changed by the partnership's administrators or the "
     "organization's own",
     "en virksomhets adresser endres av helsefellesskapets administratorer eller virksomhetens "
     "egne"},
    /* a report's joint analysis (deviation_analysis.c) */
    {"the joint analysis of a report is read by its two parties and the partnership's quality "
     "staff only",
     "den felles hendelsesanalysen av en avviksmelding leses bare av de to partene og "
     "helsefellesskapets kvalitetsmedarbeidere"},
    {"the joint analysis is written by the two parties' case handlers and quality staff",
     "den felles hendelsesanalysen skrives av de to partenes saksbehandlere og "
     "kvalitetsmedarbeidere"},
    {"deviation * has no joint analysis", "avviksmeldingen $1 har ingen felles hendelsesanalyse"},
    {"deviation * has a joint analysis already; change it with PATCH",
     "avviksmeldingen $1 har allerede en felles hendelsesanalyse; endre den med PATCH"},
    {"a joint analysis begins once it is requested for the report*; the report is *",
     "en felles hendelsesanalyse begynner når den er bedt om for meldingen; meldingen er nå $2"},
    {"* is required: one of the two parties", "$1 må fylles ut: en av de to partene"},
    {"* must be one of the two parties: the reporting or the receiving organization of the "
     "report",
     "$1 må være en av de to partene: virksomheten som meldte eller virksomheten som mottok "
     "meldingen"},
    {"* is required: COMMUNICATION, ROUTINES, COMPETENCE, STAFFING, EQUIPMENT_IT, ORGANISATION "
     "or OTHER",
     "$1 må fylles ut: COMMUNICATION (kommunikasjon), ROUTINES (rutiner), COMPETENCE "
     "(kompetanse), STAFFING (bemanning), EQUIPMENT_IT (teknisk utstyr og IKT), ORGANISATION "
     "(organisering) eller OTHER (annet)"},
    {"* is required, written YYYY-MM-DD", "$1 må fylles ut, skrevet ÅÅÅÅ-MM-DD"},
    {"* is given by the service; leave it out", "$1 settes av tjenesten; utelat den"},
    {"*: the analysis has no measure *; leave id out for a new measure",
     "$1: analysen har ikke tiltaket $2; utelat id for et nytt tiltak"},
    {"* names measure * twice", "$1 viser til tiltaket $2 to ganger"},
    {"measures leaves out measure *; a measure stays in the record: cancel it (state CANCELLED) "
     "instead",
     "measures mangler tiltaket $1; et tiltak blir stående i analysen: avbryt det (state "
     "CANCELLED) i stedet"},
    {"* holds what looks like a national identity number (fødselsnummer or D-number) at "
     "character *, * characters long; remove it, an analysis must not identify the patient",
     "$1 ser ut til å inneholde et fødselsnummer eller D-nummer (ved tegn $2, $3 tegn langt); "
     "fjern det: en hendelsesanalyse skal ikke kunne identifisere pasienten"},
    {"If-Match is required: the ETag of the analysis as you read it*",
     "If-Match må oppgis: ETag-en til analysen slik du leste den"},
    {"the analysis is final and locked*",
     "analysen er ferdigstilt og låst: sluttrapporten er dokumentasjonen, og bare tiltakene "
     "følges opp (markeres utført)"},
    {"the analysis was changed after the version in If-Match; read it again",
     "analysen er endret etter versjonen i If-Match; les den på nytt"},
    {"summary is required before the analysis is final",
     "summary (sammendraget) må fylles ut før analysen ferdigstilles"},
    {"participants must name someone of each of the two parties before the analysis is final",
     "participants må ha med noen fra hver av de to partene før analysen ferdigstilles"},
    {"the analysis has no measure *", "analysen har ikke tiltaket $1"},
    {"measure * is done already", "tiltaket $1 er allerede utført"},
    {"measure * is cancelled already", "tiltaket $1 er allerede avbrutt"},
    {"measures are seen by the parties of their analyses",
     "tiltakene ses av partene i analysene de hører til"},
    /* deputies, absence, call-ups and disqualification (agenda_attendance.c) */
    {"deputy_rank is the deputy's place in the order, 1 to 99",
     "deputy_rank er varas plass i rekkefølgen, fra 1 til 99"},
    {"a deputy stands in for one member (deputy_for_person_id) or for an organisation's seat "
     "(deputy_for_organization_id), not both",
     "en vara møter for ett medlem (deputy_for_person_id) eller for en organisasjons plass "
     "(deputy_for_organization_id), ikke begge"},
    {"deputy_rank needs whom the deputy stands in for: deputy_for_person_id or "
     "deputy_for_organization_id",
     "deputy_rank krever at det står hvem varaen møter for: deputy_for_person_id eller "
     "deputy_for_organization_id"},
    {"deputy_rank (1 for 1. vara, 2 for 2. vara, …) is required for a deputy who stands in for "
     "someone",
     "deputy_rank (1 for 1. vara, 2 for 2. vara, …) må fylles ut for en vara som møter for noen"},
    {"a deputy does not stand in for themselves", "en vara kan ikke møte for seg selv"},
    {"* is required: the credential is no person's (a person's principalSubject)",
     "$1 må fylles ut: innloggingen tilhører ingen person (en persons principalSubject)"},
    {"only the member themselves, the committee's secretary and chair, the secretariat of the "
     "organisation that runs it and administrators may do this for a member",
     "bare medlemmet selv, utvalgets sekretær og leder, sekretariatet i organisasjonen som driver "
     "utvalget og administratorer kan gjøre dette for et medlem"},
    {"person * holds no seat of the committee on the meeting's day (chair, vice chair or member)",
     "person $1 har ingen plass i utvalget på møtedagen (leder, nestleder eller medlem)"},
    {"person * holds no seat of the committee on the meeting's day*",
     "person $1 har ingen plass i utvalget på møtedagen$2"},
    {"the absence of person * from this meeting is reported already",
     "forfall for person $1 til dette møtet er allerede meldt"},
    {"absence * is withdrawn already", "forfall $1 er allerede trukket tilbake"},
    {"the call-up is answered already, its absence withdrawn, or it ended when the meeting was "
     "moved",
     "innkallingen er allerede besvart, forfallet er trukket tilbake, eller innkallingen "
     "gjelder ikke lenger fordi møtet er flyttet"},
    {"the meeting is cancelled: its call-ups have ended and its absences no longer count",
     "møtet er avlyst: innkallingene av vara gjelder ikke lenger, og forfall til det teller "
     "ikke"},
    {"person * has declared this item already",
     "person $1 har allerede meldt mulig inhabilitet i denne saken"},
    {"decision is required: DISQUALIFIED or NOT_DISQUALIFIED",
     "decision må fylles ut: DISQUALIFIED eller NOT_DISQUALIFIED"},
    {"the minutes are approved, or the meeting cancelled",
     "protokollen er godkjent, eller møtet er avlyst"},
    {"membership * does not exist", "medlemskap $1 finnes ikke"},
    {"absence * does not exist", "forfall $1 finnes ikke"},
    {"call-up * does not exist", "innkalling $1 finnes ikke"},
    {"declaration * does not exist", "erklæring $1 finnes ikke"},
    /* a committee's archive (agenda_archive.c) */
    {"year must be a year written with four digits, e.g. 2023",
     "year må være et årstall med fire sifre, for eksempel 2023"},
    {"* fields are not valid; see errors", "$1 felt er ikke gyldige; se errors"},
    /* the partnership's settings */
    {"the partnership's settings are changed by administrators",
     "partnerskapets innstillinger endres av administratorer"},
    {"If-Match is required: the ETag of the newest settings version*",
     "If-Match må oppgis: ETag-en til den nyeste versjonen av innstillingene"},
    {"* must be a date YYYY-MM-DD", "$1 må være en dato ÅÅÅÅ-MM-DD"},
    {"* must be today (*) or later*",
     "$1 må være i dag ($2) eller senere: en regel endres ikke for meldinger som allerede er "
     "sendt"},
    {"* must not be before *, from which version * holds",
     "$1 kan ikke være før $2, som versjon $3 gjelder fra"},
    {"* is required (a length and a unit)", "$1 må fylles ut (en lengde og en enhet)"},
    {"*.length must be from 1 to 365", "$1.length må være fra 1 til 365"},
    {"* must be WORKING_DAYS, CALENDAR_DAYS or WEEKS",
     "$1 må være WORKING_DAYS, CALENDAR_DAYS eller WEEKS"},
    {"* must be TERTIAL, QUARTER, HALF_YEAR or MONTH",
     "$1 må være TERTIAL, QUARTER, HALF_YEAR eller MONTH"},
    {"* must be from 0 to 30", "$1 må være fra 0 til 30"},
    {"statistics are published per the partnership's period (*)*",
     "statistikken publiseres per helsefellesskapets periode ($1); andre perioder er for "
     "kvalitetsavdelingen, siden tall for perioder som overlapper, kunne trekkes fra hverandre "
     "og vise tall under 5"},
    {"comment (the information) is required", "comment (opplysningene) må fylles ut"},
    {"comment (what information is needed) is required",
     "comment (hvilke opplysninger som trengs) må fylles ut"},
    {"comment (why the answer is not accepted) is required",
     "comment (hvorfor svaret ikke godtas) må fylles ut"},
    {"reason (why this is not a cooperation deviation) is required",
     "reason (hvorfor dette ikke er et samhandlingsavvik) må fylles ut"},
    {"reason is required to cancel a meeting whose notice went out",
     "reason må fylles ut for å avlyse et møte som er kalt inn"},
    {"decision (the amended text) is required when adopted as amended",
     "decision (den endrede teksten) må fylles ut når saken er vedtatt med endringer"},
    {"* (the legal basis, e.g. offl. § 13) is required for an item exempt from public access",
     "$1 (hjemmelen, f.eks. offl. § 13) må fylles ut for en sak unntatt offentlighet"},
    {"* (what the public reads in place of the title, e.g. Sak om tilsetting) is required for an "
     "item exempt from public access",
     "$1 (det offentligheten leser i stedet for tittelen, f.eks. Sak om tilsetting) må fylles ut "
     "for en sak unntatt offentlighet"},
    {"* is required to submit", "$1 må fylles ut før meldingen sendes"},
    {"* is required (a UUID)", "$1 må fylles ut (en UUID)"},
    {"* is required (a UUID)", "$1 må fylles ut (en UUID)"},
    {"* must be from 1 to *, or 0 for the end", "$1 må være fra 1 til $2, eller 0 for slutten"},
    {"* must be from 0 (unlimited) to *", "$1 må være fra 0 (ubegrenset) til $2"},
    {"* must be 0 (none) or from 1 to *", "$1 må være 0 (ingen) eller fra 1 til $2"},
    {"* must be after *, at most 24 hours later", "$1 må være etter $2, høyst 24 timer senere"},
    {"committee *, given as parent, does not exist",
     "utvalget $1, oppgitt som overordnet, finnes ikke"},
    {"organisation *, given as secretariat, does not exist",
     "organisasjonen $1, oppgitt som sekretariat, finnes ikke"},
    {"membership * does not exist in committee *", "medlemskapet $1 finnes ikke i utvalget $2"},
    {"meeting * is not a meeting of this emergency",
     "møtet $1 hører ikke til denne beredskapssaken"},
    {"meeting * has no minutes yet", "møtet $1 har ikke noe referat ennå"},
    {"agenda item * has no case document", "saken $1 har ikke noe saksfremlegg"},
    {"agenda item * was withdrawn and cannot change", "saken $1 er trukket og kan ikke endres"},
    {"agenda item * does not exist", "saken $1 finnes ikke"},
    {"API key * does not exist", "API-nøkkelen $1 finnes ikke"},
    {"case * has a number and cannot become a break",
     "saken $1 har saksnummer og kan ikke bli en pause"},
    {"* holds at most * entries", "$1 kan ha høyst $2 oppføringer"},
    {"* holds at most * points", "$1 kan ha høyst $2 punkter"},
    {"* holds at most * people", "$1 kan ha høyst $2 personer"},
    {"* holds at most * names", "$1 kan ha høyst $2 navn"},
    {"* holds at most * cases", "$1 kan ha høyst $2 saker"},
    {"* holds at most * prefixes", "$1 kan ha høyst $2 prefikser"},
    {"* holds at most *", "$1 kan ha høyst $2"},
    {"* names * that does not exist", "$1 viser til noe som ikke finnes"},
    {"* names * who does not exist", "$1 viser til en person som ikke finnes"},
    {"* must be an e-mail address, like *", "$1 må være en e-postadresse, som $2"},
    {"* must be an http:// or https:// address", "$1 må være en http://- eller https://-adresse"},
    {"* must be an RFC 3339 time like *", "$1 må være et tidspunkt skrevet etter RFC 3339, som $2"},
    {"* must not be before *", "$1 kan ikke være før $2"},
    {"* is before *", "$1 er før $2"},
    {"* lies in the future", "$1 ligger fram i tid"},
    {"* is for deputies only", "$1 gjelder bare varamedlemmer"},
    {"* is not possible for you when the report is *; allowed: *",
     "$1 er ikke mulig for deg når meldingen har status $2; mulig nå: $3"},
    /* what the gateway reads a request as: its JSON, its parameters */
    {"* must be a string", "$1 må være tekst"},
    {"* must be a number", "$1 må være et tall"},
    {"* must be an integer", "$1 må være et heltall"},
    {"* must be an array", "$1 må være en liste"},
    {"* must be an object", "$1 må være et objekt"},
    {"* must be true or false", "$1 må være true eller false"},
    {"* must be base64", "$1 må være base64"},
    {"* must be valid UTF-8", "$1 må være gyldig UTF-8"},
    {"* must not contain NUL characters", "$1 kan ikke inneholde NUL-tegn"},
    {"* must be one of *", "$1 må være en av $2"},
    {"* is given twice", "$1 er oppgitt to ganger"},
    {"* is not a field of *", "$1 er ikke et felt i $2"},
    {"* is not a parameter of this request", "$1 er ikke en parameter i denne forespørselen"},
    {"* is set by the server from the fields present; leave it out",
     "$1 settes av tjenesten ut fra feltene som er med; la det være ute"},
    {"* has an unsupported type", "$1 har en type som ikke støttes"},
    {"* is malformed or longer than * bytes", "$1 er feil skrevet eller lengre enn $2 byte"},
    {"the query string is malformed", "spørrestrengen er feil skrevet"},
    {"the body must be a JSON object", "innholdet må være et JSON-objekt"},
    {"the body must be JSON, sent as Content-Type: application/json",
     "innholdet må være JSON, sendt som Content-Type: application/json"},
    {"the body is not valid JSON: * at line * column *",
     "innholdet er ikke gyldig JSON (linje $2, kolonne $3)"},
    {"the body is larger than * bytes", "innholdet er større enn $1 byte"},
    {"the Idempotency-Key header must be 1 to 255 printable ASCII characters",
     "Idempotency-Key må være 1 til 255 synlige ASCII-tegn"},
    {"the Idempotency-Key was used before with a different request",
     "Idempotency-Key er brukt før, med en annen forespørsel"},
    {"If-Match is taken by the changes of *",
     "If-Match tas imot ved endringer av organisasjoner, personer, utvalg, medlemskap, møter "
     "(saksliste og referat), saksfremlegg, tiltak og abonnementer"},
    {"it was changed after the version in If-Match; read it again",
     "det er endret etter versjonen i If-Match; les det på nytt"},
    {"cursor is not one this service gave out", "cursor er ikke en som denne tjenesten ga ut"},
    {"after is not a cursor this feed gave out", "after er ikke en som denne strømmen ga ut"},
    {"* is not allowed here; allowed: *", "$1 er ikke tillatt her; tillatt: $2"},
    {"no such resource; see /openapi.json", "dette finnes ikke; se /openapi.json"},
    {"this origin may not call the API*", "dette opphavet kan ikke kalle API-et"},
    {"the service is not reachable; try again shortly",
     "tjenesten kan ikke nås nå; prøv igjen om litt"},
    {"the service did not answer in time; try again", "tjenesten svarte ikke i tide; prøv igjen"},
    {"the service answered something unreadable", "tjenesten svarte noe som ikke kunne leses"},
    /* the strict HTTP front: how a request is framed */
    {"the request line must end in CR LF", "forespørselslinjen må slutte med CR LF"},
    {"the request line must be: method, target, version",
     "forespørselslinjen må være: metode, mål, versjon"},
    {"the method must be a token", "metoden må være et token"},
    {"the request target holds a space or a control character",
     "forespørselens mål inneholder et mellomrom eller et kontrolltegn"},
    {"only HTTP/1.1 (and 1.0) is spoken here", "her snakkes bare HTTP/1.1 (og 1.0)"},
    {"every header line must end in CR LF", "hver linje i hodet må slutte med CR LF"},
    {"a header line may not be folded onto the next",
     "en linje i hodet kan ikke fortsette på neste linje"},
    {"a header line must be name: value", "en linje i hodet må være navn: verdi"},
    {"a header name must be a token, with no space before its colon",
     "et navn i hodet må være et token, uten mellomrom foran kolon"},
    {"a header value holds a control character", "en verdi i hodet inneholder et kontrolltegn"},
    {"Content-Length must be * number of bytes", "Content-Length må være ett antall byte"},
    {"two different Content-Length headers", "to ulike Content-Length"},
    {"Transfer-Encoding is HTTP/1.1's", "Transfer-Encoding hører til HTTP/1.1"},
    {"Content-Length and Transfer-Encoding together", "Content-Length og Transfer-Encoding sammen"},
    {"the only transfer coding taken is one chunked",
     "den eneste overføringskodingen som tas imot, er én chunked"},
    {"the request head is larger than 8 KiB", "forespørselens hode er større enn 8 KiB"},
    {"a chunk's line must end in CR LF", "en linje i en chunk må slutte med CR LF"},
    {"a chunk's size line is malformed", "størrelseslinjen i en chunk er feil skrevet"},
    {"a chunk's line is too long", "en linje i en chunk er for lang"},
    {"a chunk's data must end in CR LF", "dataene i en chunk må slutte med CR LF"},
    /* the general forms of the services' checks */
    {"* is required", "$1 må fylles ut"},
    {"* must be a UUID", "$1 må være en UUID"},
    {"* must be text of at most * characters without control characters",
     "$1 må være tekst på høyst $2 tegn, uten kontrolltegn"},
    {"* must be text of at most * characters", "$1 må være tekst på høyst $2 tegn"},
    {"* must be a date written YYYY-MM-DD", "$1 må være en dato skrevet ÅÅÅÅ-MM-DD"},
    {"* has no value *", "$1 har ingen verdi $2"},
    {"* cannot be changed", "$1 kan ikke endres"},
    {"* cannot be unspecified", "$1 må oppgis"},
    {"* must be between 2000 and 2100", "$1 må være mellom år 2000 og 2100"},

    {"* must be after *, the last case number the committee's notices gave in *",
     "$1 må være etter $2, det siste saksnummeret utvalgets innkallinger ga i $3"},
    {"* must be after *", "$1 må være etter $2"},
    {"* is listed twice", "$1 står to ganger"},
    {"* must be from * to *", "$1 må være fra $2 til $3"},
    {"nothing to change", "ingenting å endre"},
    {"* holds what looks like a national identity number (fødselsnummer or D-number) at "
     "character *, * characters long; remove it, a deviation report must not identify the "
     "patient",
     "$1 ser ut til å inneholde et fødselsnummer eller D-nummer (ved tegn $2, $3 tegn langt); "
     "fjern det: en avviksmelding skal ikke kunne identifisere pasienten"},
    {"* must be an e-mail address like *", "$1 må være en e-postadresse, som $2"},
    {"a period's statistics are published when it has ended (on *); until then only quality "
     "staff see them*",
     "statistikken for en periode publiseres når den er over ($1); til da ser bare "
     "kvalitetsavdelingen den"},
    {"committee * does not exist", "utvalget $1 finnes ikke"},
    {"meeting * does not exist", "møtet $1 finnes ikke"},
    {"person * does not exist", "personen $1 finnes ikke"},
    {"organization * does not exist", "organisasjonen $1 finnes ikke"},
    {"action * does not exist", "tiltaket $1 finnes ikke"},
    {"case * does not exist", "saken $1 finnes ikke"},
    {"proposal * does not exist", "forslaget $1 finnes ikke"},
    {"emergency * does not exist", "beredskapssaken $1 finnes ikke"},
    {"deviation * does not exist", "avviksmeldingen $1 finnes ikke"},
    {"attachment * does not exist", "vedlegget $1 finnes ikke"},
    {"subscription * does not exist", "abonnementet $1 finnes ikke"},
    {"agenda item * is not on this meeting", "saken $1 står ikke på dette møtets saksliste"},
    {"this needs a credential*", "dette krever innlogging (en API-nøkkel eller et tilgangstoken)"},
    {"the credential is not valid*", "innloggingen er ikke gyldig"},
    {"this needs one of the roles: *", "dette krever en av rollene: $1"},
    {"only the committee's secretary and chair, the secretariat of the organisation that runs it*",
     "bare utvalgets sekretær og leder, sekretariatet i virksomheten som driver utvalget, og "
     "administratorer kan gjøre dette"},
    {"only the committee's members, its secretary and chair*",
     "bare utvalgets medlemmer, sekretær og leder, sekretariatet i virksomheten som driver "
     "utvalget, og administratorer kan gjøre dette"},
    {"the minutes are written from the meeting's start (*)",
     "referatet skrives fra møtets start ($1)"},
    {"the minutes are approved once the meeting has ended (*)",
     "referatet godkjennes når møtet er slutt ($1)"},
    {"the minutes are approved and frozen", "referatet er godkjent og kan ikke endres"},
    {"the meeting was cancelled", "møtet er avlyst"},
    {"the notice of the meeting has not gone out", "innkallingen til møtet er ikke sendt ut"},
    {"a new due date or owner needs a note saying why",
     "ny frist eller nytt ansvar må begrunnes i et notat"},
    {"too many requests with this credential; try again in * s",
     "for mange forespørsler med denne innloggingen; prøv igjen om $1 s"},
    /* the services' rules, one by one */
    {"a report with a joint analysis stays with the two parties that write it: it is not "
     "forwarded",
     "en avviksmelding med en felles hendelsesanalyse blir hos de to partene som skriver den: den "
     "videresendes ikke"},
    {"a report is approved by a leader other than its writer",
     "en melding godkjennes av en annen leder enn den som skrev den"},
    {"API keys are kept by the partnership's administrators",
     "API-nøkler forvaltes av helsefellesskapets administratorer"},
    {"\"*\" is not a role (*)", "«$1» er ikke en rolle ($2)"},
    {"roles are required", "roles må fylles ut"},
    {"a break has no case document", "en pause har ikke noe saksfremlegg"},
    {"a break has no outcome", "en pause har ikke noe utfall"},
    {"a crisis meeting needs a place or an online link",
     "et krisemøte må ha et sted eller en lenke til et digitalt møte"},
    {"a notice needs a place or an online link",
     "en innkalling må ha et sted eller en lenke til et digitalt møte"},
    {"a meeting lasts at most * hours", "et møte varer høyst $1 timer"},
    {"a deviation is between two parties: the receiver cannot be the reporter",
     "et avvik er mellom to parter: mottakeren kan ikke være den som melder"},
    {"a member moves an action on (status, note); only the committee's secretary and chair, the "
     "secretariat of the organisation that runs it and administrators change *",
     "et medlem fører et tiltak videre (status, notat); bare utvalgets sekretær og leder, "
     "sekretariatet i virksomheten som driver utvalget, og administratorer endrer $1"},
    {"an organization with number * exists already",
     "en organisasjon med nummer $1 finnes allerede"},
    {"case_number_format must hold *",
     "case_number_format må ha én av {n} og {nn} og én av {yy} og {yyyy}, høyst 32 synlige "
     "ASCII-tegn, som «{n}/{yy}»"},
    {"* is not in the code list*", "$1 står ikke i kodelisten; se /v1/deviation-categories"},
    {"* is required to submit", "$1 må fylles ut før meldingen sendes"},
    {"* lies in the future", "$1 ligger fram i tid"},
    {"* is before occurred_time", "$1 er før occurredTime"},
    {"only a draft is changed; a submitted report moves by the steps of its workflow",
     "bare et utkast kan endres; en innsendt melding går videre med stegene i arbeidsflyten"},
    {"a report is forwarded at most * times; answer or reject it",
     "en melding kan videresendes høyst $1 ganger; besvar eller avvis den"},
    {"If-Match is required: the ETag of the draft as you read it*",
     "If-Match må oppgis: ETag-en til utkastet slik du leste det"},
    {"content is * bytes; an attachment may have at most *",
     "content er $1 byte; et vedlegg kan være høyst $2 byte"},
    {"content is empty", "content er tomt"},
    {"content_type must be a media type like *", "content_type må være en medietype, som $1"},
    {"duplicate_of_id must name another report", "duplicate_of_id må vise til en annen melding"},
    {"event_types are prefixes of event types, like *",
     "event_types er begynnelser på hendelsestyper, som $1"},
    {"filename must not hold slashes, quotes or line breaks",
     "filename kan ikke inneholde skråstreker, anførselstegn eller linjeskift"},
    {"format must be json, csv or html", "format må være json, csv eller html"},
    {"forward to a party other than the reporter and the present receiver",
     "videresend til en annen part enn melderen og den som mottar meldingen nå"},
    {"give delivery_id, from and to, or since", "oppgi delivery_id, from og to, eller since"},
    {"give period (2023-T1) or from and to (YYYY-MM-DD)",
     "oppgi period (2023-T1) eller from og to (ÅÅÅÅ-MM-DD)"},
    {"nothing has changed since notice *", "ingenting er endret siden innkalling nr. $1"},
    {"only administrators and the secretariat of the person's own organisation may say whom a "
     "person signs in as*",
     "bare administratorer og sekretariatet i personens egen organisasjon kan si hvem en person "
     "logger inn som, eller flytte personen til en annen organisasjon"},
    {"only administrators may say which organisation runs a committee*",
     "bare administratorer kan si hvilken organisasjon som driver et utvalg; et utvalg som et "
     "sekretariat lager, drives av dets organisasjon"},
    {"only administrators, the secretariat of the person's own organisation and that of an "
     "organisation running a committee the person sits on may change a person",
     "bare administratorer, sekretariatet i personens egen organisasjon og sekretariatet i en "
     "organisasjon som driver et utvalg personen sitter i, kan endre en person"},
    {"only an emergency committee opens an emergency",
     "bare et beredskapsutvalg kan åpne en beredskapssak"},
    {"only the principal that made the subscription, or an administrator, changes its url or "
     "secret",
     "bare den som laget abonnementet, eller en administrator, kan endre url eller hemmelighet"},
    {"organization_number must be 9 digits with a valid mod-11 check digit",
     "organization_number må være 9 sifre med et gyldig kontrollsiffer (mod 11)"},
    {"parent_id would make the committee report to itself",
     "parent_id ville gjort utvalget overordnet seg selv"},
    {"period must be a tertial (2023-T1), a quarter (2016-Q1), a half-year (2024-H2) or a "
     "month (2024-05)*",
     "period må være et tertial (2023-T1), et kvartal (2016-Q1), et halvår (2024-H2) eller en "
     "måned (2024-05)"},
    {"principal_subject is another person's", "principal_subject er en annen persons"},
    {"principal_subject is the principal the person signs in as: *",
     "principal_subject er den personen logger inn som: $1"},
    {"reference is a report's reference like *", "reference er en meldings referanse, som $1"},
    {"reports are seen by the organizations they concern",
     "meldingene ses av organisasjonene de gjelder"},
    {"signature_scheme must be HMAC_SHA256 or ED25519",
     "signature_scheme må være HMAC_SHA256 eller ED25519"},
    {"state must be ACTIVE or PAUSED", "state må være ACTIVE eller PAUSED"},
    {"statistics are for committee members", "statistikken er for utvalgenes medlemmer"},
    {"statistics are published per whole period*",
     "statistikken publiseres per hele periode (et tertial, kvartal, halvår eller en måned, fra "
     "første til siste dag, eller period=2023-T1): tall for perioder som overlapper, kunne "
     "trekkes fra hverandre og vise tall under 5"},
    {"the API key that made the subscription was revoked*",
     "API-nøkkelen som laget abonnementet, er trukket tilbake: det står på pause; lag et nytt "
     "med en nøkkel som er i bruk"},
    {"the access log is read by quality staff", "tilgangsloggen leses av kvalitetsavdelingen"},
    {"the agenda is empty", "sakslisten er tom"},
    {"the agenda of a meeting that is held or cancelled cannot change",
     "sakslisten til et møte som er holdt eller avlyst, kan ikke endres"},
    {"the agenda takes * minutes, * more than the meeting's * (*)",
     "sakslisten tar $1 minutter, $2 mer enn møtets $3 minutter"},
    {"the case document proposes no decision to adopt as proposed*",
     "saksfremlegget har ikke noe forslag til vedtak å vedta som foreslått: skriv vedtaket, "
     "eller forslaget til vedtak først"},
    {"the case documents of a meeting that is held or cancelled cannot change",
     "saksfremleggene til et møte som er holdt eller avlyst, kan ikke endres"},
    {"the committee has an open emergency already", "utvalget har allerede en åpen beredskapssak"},
    {"the emergency is closed", "beredskapssaken er avsluttet"},
    {"the meeting belongs to another committee than the proposal",
     "møtet hører til et annet utvalg enn forslaget"},
    {"the meeting is * and can no longer change", "møtet kan ikke lenger endres (status $1)"},
    {"the minutes need an outcome for *", "referatet mangler utfallet for $1"},
    {"the minutes need the attendance", "referatet mangler oppmøtet"},
    {"the proposal was accepted already", "saken er allerede satt på en saksliste"},
    {"the proposal was declined already", "saken er allerede avslått"},
    {"to must be a date YYYY-MM-DD, not before from",
     "to må være en dato ÅÅÅÅ-MM-DD, ikke før from"},
    {"url must not point at this machine or a link-local address",
     "url kan ikke peke på denne maskinen eller en lokal adresse"},
    {"you can report only for your own organization",
     "du kan bare melde avvik for din egen organisasjon"},
    {"you can submit a proposal only for your own organization",
     "du kan bare melde inn saker for din egen organisasjon"},
};

bool gateway_problem_wants_bokmal(const char *accept_language, size_t len)
{
    size_t at = 0;
    while (accept_language && at < len &&
           (accept_language[at] == ' ' || accept_language[at] == '\t'))
        at++;
    if (!accept_language || len - at < 2)
        return false;
    const char *tag = accept_language + at;
    bool is_norwegian = strncasecmp(tag, "nb", 2) == 0 || strncasecmp(tag, "no", 2) == 0 ||
                        strncasecmp(tag, "nn", 2) == 0;
    return is_norwegian && (len - at == 2 || strchr("-,; ", tag[2]));
}

/* Whether `text` matches `pattern` from here; the runs its '*'s took go
 * into `runs` (start, length). */
static bool s_match(const char *pattern, const char *text, const char *runs[3][2], int n)
{
    if (!*pattern)
        return !*text;
    if (*pattern == '*') {
        for (const char *end = text;; end++) {
            if (n < 3) {
                runs[n][0] = text;
                runs[n][1] = end;
            }
            if (end > text && s_match(pattern + 1, end, runs, n + 1))
                return true;
            if (!*end)
                return false;
        }
    }
    return *pattern == *text && s_match(pattern + 1, text + 1, runs, n);
}

/* The bokmål of a message, into `out`; false when the table lacks it. */
static bool s_in_bokmal(const char *english, char *out, size_t size)
{
    for (size_t i = 0; i < sizeof s_bokmal / sizeof s_bokmal[0]; i++) {
        const char *runs[3][2] = {{NULL, NULL}};
        if (!s_match(s_bokmal[i].english, english, runs, 0))
            continue;
        size_t used = 0;
        for (const char *p = s_bokmal[i].norwegian; *p && used + 1 < size; p++) {
            if (p[0] == '$' && p[1] >= '1' && p[1] <= '3') {
                int k = p[1] - '1';
                size_t len = runs[k][0] ? (size_t)(runs[k][1] - runs[k][0]) : 0;
                if (len > size - used - 1)
                    len = size - used - 1;
                memcpy(out + used, runs[k][0], len);
                used += len;
                p++;
            } else {
                out[used++] = *p;
            }
        }
        out[used] = '\0';
        return true;
    }
    return false;
}

static const char *s_title_bokmal(int status)
{
    switch (status) {
    case 400:
        return "Ugyldig forespørsel";
    case 401:
        return "Ikke innlogget";
    case 403:
        return "Ingen tilgang";
    case 404:
        return "Finnes ikke";
    case 409:
        return "Konflikt";
    case 405:
        return "Metoden er ikke tillatt her";
    case 412:
        return "Endret siden du leste det";
    case 428:
        return "Versjonen må oppgis";
    case 413:
        return "For stor";
    case 415:
        return "Innholdstypen tas ikke imot";
    case 422:
        return "Kan ikke behandles";
    case 429:
        return "For mange forespørsler";
    case 503:
        return "Ikke tilgjengelig nå";
    case 504:
        return "Fikk ikke svar i tide";
    default:
        return status >= 500 ? "Intern feil" : "Forespørselen ble avvist";
    }
}

/* A plain sentence for a status whose message the table lacks, naming
 * the field at fault when there is one (its JSON name, as sent). */
static void s_detail_bokmal(int status, const char *field, char *out, size_t size)
{
    const char *sentence;
    switch (status) {
    case 400:
        sentence = field ? "er ikke gyldig" : "noe i forespørselen er ikke gyldig";
        break;
    case 403:
        sentence = "du har ikke tilgang til dette";
        break;
    case 404:
        sentence = field ? "viser til noe som ikke finnes" : "det du spør etter, finnes ikke";
        break;
    case 409:
        sentence = "dette kan ikke gjøres slik saken står nå";
        break;
    default:
        sentence = status >= 500 ? "noe gikk galt hos oss; prøv igjen om litt"
                                 : "forespørselen ble avvist";
    }
    if (!field)
        snprintf(out, size, "%s", sentence);
    else if (status == 400 || status == 404)
        snprintf(out, size, "%s %s", field, sentence);
    else
        snprintf(out, size, "%s (gjelder %s)", sentence, field);
}

/* `what` in bokmål, in place in `holder` under `key`. */
static void s_put_bokmal(json_t *holder, const char *key, int status, const char *field)
{
    const char *what = json_string_value(json_object_get(holder, key));
    if (!what || !what[0])
        return;
    char text[1024];
    if (!s_in_bokmal(what, text, sizeof text))
        s_detail_bokmal(status, field, text, sizeof text);
    json_object_set_new(holder, key, json_string(text));
}

void gateway_problem_in_bokmal(json_t *problem)
{
    int status = (int)json_integer_value(json_object_get(problem, "status"));
    json_object_set_new(problem, "title", json_string(s_title_bokmal(status)));
    json_t *errors = json_object_get(problem, "errors");
    const char *first = json_string_value(json_object_get(json_array_get(errors, 0), "field"));
    s_put_bokmal(problem, "detail", status, first && first[0] ? first : NULL);
    size_t i;
    json_t *error;
    json_array_foreach(errors, i, error)
    {
        const char *field = json_string_value(json_object_get(error, "field"));
        s_put_bokmal(error, "detail", status, field && field[0] ? field : NULL);
    }
}
