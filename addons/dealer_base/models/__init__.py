from . import dealer_checked_mixin
from . import dealer_direction
from . import dealer_partner_phone
from . import res_partner
from . import res_country_state
from . import res_users
