{
    "name": "Dealership: Campaigns",
    "summary": "Marketing campaigns: planned contacts from segments, the clipboard, text and "
    "Excel files; distribution to staff per working day as call tasks; SMS and e-mail; results",
    "version": "18.0.1.1.0",
    "category": "Dealership",
    "author": "Dealer CRM",
    "website": "https://github.com/dealer-crm/dealer-crm",
    "license": "LGPL-3",
    "depends": ["dealer_segmentation", "dealer_notify", "utm", "project", "resource"],
    "external_dependencies": {"python": ["openpyxl"]},
    "data": [
        "security/dealer_campaign_security.xml",
        "security/ir.model.access.csv",
        "data/dealer_campaign_data.xml",
        "report/dealer_campaign_call_sheet.xml",
        "wizard/dealer_campaign_outcome_views.xml",
        "wizard/dealer_campaign_add_contacts_views.xml",
        "views/dealer_campaign_contact_views.xml",
        "views/dealer_campaign_views.xml",
        "views/project_task_views.xml",
        "views/dealer_campaign_menus.xml",
    ],
    "demo": ["demo/dealer_campaign_demo.xml"],
    "assets": {
        "web.assets_tests": ["dealer_campaign/static/src/tests/tours/*.js"],
    },
}
