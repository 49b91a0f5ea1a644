{
    "name": "Dealership: Complaints and Surveys",
    "summary": "The complaints book: appeals with types, a two-level reason tree, deadlines, "
    "steps with the client's satisfaction and approval; appeals from feedback traffic; "
    "post-service surveys on Odoo's survey; reports by category and «Follow up PS»",
    "version": "18.0.1.0.0",
    "category": "Dealership",
    "author": "Dealer CRM",
    "website": "https://github.com/dealer-crm/dealer-crm",
    "license": "LGPL-3",
    "depends": ["dealer_traffic", "dealer_vehicle", "dealer_notify", "survey", "project"],
    "data": [
        "security/dealer_complaint_security.xml",
        "security/ir.model.access.csv",
        "data/dealer_complaint_data.xml",
        "data/dealer_complaint_reason_data.xml",
        "data/survey_data.xml",
        "data/ir_cron_data.xml",
        "data/dealer_notification_rule_data.xml",
        "report/dealer_complaint_followup_report.xml",
        "views/dealer_complaint_type_views.xml",
        "views/dealer_complaint_reason_views.xml",
        "views/dealer_complaint_views.xml",
        # The appeals menus before the wizards and views that hang their own items under them.
        "views/dealer_complaint_menus.xml",
        "wizard/dealer_complaint_reject_views.xml",
        "wizard/dealer_traffic_process_wizard_views.xml",
        "wizard/dealer_complaint_followup_views.xml",
        "views/dealer_survey_call_views.xml",
        "views/survey_survey_views.xml",
        "views/dealer_traffic_views.xml",
        "views/res_partner_views.xml",
        "views/project_task_views.xml",
    ],
    "demo": ["demo/dealer_complaint_demo.xml"],
    "assets": {
        "web.assets_tests": ["dealer_complaint/static/src/tests/tours/*.js"],
    },
}
