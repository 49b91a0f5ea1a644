from . import dealer_notification_preview
