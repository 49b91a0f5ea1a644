{
    "name": "Dealership: Notifications",
    "summary": "SMS gateways (SMS.ru, SMSC, SMS Aero) behind Odoo's SMS, notification rules "
    "(appointment reminders, repair status, birthdays, service due), message log with "
    "delivery, opt-out and consent register",
    "version": "18.0.1.0.0",
    "category": "Dealership",
    "author": "Dealer CRM",
    "website": "https://github.com/dealer-crm/dealer-crm",
    "license": "LGPL-3",
    "depends": ["dealer_traffic", "sms", "mail", "phone_validation", "bus"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/dealer_notify_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/sms_template_data.xml",
        "data/mail_template_data.xml",
        "data/dealer_notification_rule_data.xml",
        "data/dealer_notification_rule_defaults.xml",
        "views/dealer_sms_provider_views.xml",
        "views/dealer_notification_rule_views.xml",
        "views/dealer_notification_views.xml",
        "views/dealer_consent_log_views.xml",
        "views/res_partner_views.xml",
        "views/fleet_vehicle_model_brand_views.xml",
        "wizard/dealer_notification_preview_views.xml",
        "views/dealer_notify_menus.xml",
    ],
    "demo": ["demo/dealer_notify_demo.xml"],
    "assets": {
        "web.assets_tests": ["dealer_notify/static/src/tests/tours/*.js"],
    },
}
