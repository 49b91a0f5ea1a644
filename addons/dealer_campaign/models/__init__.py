from . import dealer_campaign, dealer_campaign_contact, dealer_traffic, project_task
