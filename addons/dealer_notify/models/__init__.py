from . import (
    dealer_consent_log,
    dealer_notification,
    dealer_notification_attempt,
    dealer_notification_rule,
    dealer_sms_provider,
    fleet_vehicle_model_brand,
    mail_mail,
    mail_template,
    project_task,
    res_partner,
    sms_sms,
    sms_template,
)
