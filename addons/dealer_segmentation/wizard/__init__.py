from . import dealer_partner_inactive_wizard
