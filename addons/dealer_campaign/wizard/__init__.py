from . import (
    dealer_campaign_add_contacts,
    dealer_campaign_add_contacts_column,
    dealer_campaign_add_contacts_line,
    dealer_campaign_outcome,
)
