/* Dispatch table of the deviation service: bus method to handler. */
#include "deviation_server.h"

#include "samhand_time.h"

#include <stdio.h>

#define ROUTE(method, type, handler)                                                               \
    {                                                                                              \
        "deviation." method, &samhand__v1__##type##__descriptor, handler                           \
    }
#define STEP(method) ROUTE(method, deviation_action_request, deviation_report_step)

const bus_route_t deviation_routes[] = {
    ROUTE("ListCategories", list_deviation_categories_request, deviation_categories_list),
    ROUTE("LoadCategories", load_categories_request, deviation_categories_load),
    ROUTE("CreateReport", create_deviation_request, deviation_report_create),
    ROUTE("GetReport", get_deviation_request, deviation_report_get),
    ROUTE("UpdateReport", update_deviation_request, deviation_report_update),
    ROUTE("ListReports", list_deviations_request, deviation_report_list),
    ROUTE("Stats", deviation_stats_request, deviation_stats),
    ROUTE("ExportReport", export_deviation_request, deviation_report_export),
    ROUTE("ListReads", list_deviation_reads_request, deviation_reads_list),
    ROUTE("GetSettings", get_settings_request, deviation_settings_get),
    ROUTE("ListSettingsVersions", list_settings_versions_request, deviation_settings_versions),
    ROUTE("PutSettings", put_settings_request, deviation_settings_put),
    ROUTE("CreateAnalysis", create_analysis_request, deviation_analysis_create),
    ROUTE("GetAnalysis", get_analysis_request, deviation_analysis_get),
    ROUTE("UpdateAnalysis", update_analysis_request, deviation_analysis_update),
    ROUTE("FinalizeAnalysis", finalize_analysis_request, deviation_analysis_finalize),
    ROUTE("CompleteMeasure", complete_measure_request, deviation_analysis_complete_measure),
    ROUTE("AnalysisReport", analysis_report_request, deviation_analysis_report),
    ROUTE("ListMeasures", list_analysis_measures_request, deviation_analysis_measures),
    STEP("Submit"),
    STEP("Acknowledge"),
    STEP("RequestInformation"),
    STEP("GiveInformation"),
    STEP("Respond"),
    STEP("Forward"),
    STEP("Reject"),
    STEP("MarkDuplicate"),
    STEP("Dispute"),
    STEP("RequestAnalysis"),
    STEP("Close"),
    STEP("Reopen"),
    STEP("Approve"),
    STEP("Return"),
};
const size_t deviation_routes_count = sizeof deviation_routes / sizeof deviation_routes[0];

void deviation_today(char out[11])
{
    time_oslo_date_iso(bus_now_ms() / 1000, out);
}
