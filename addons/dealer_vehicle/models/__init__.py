from . import dealer_catalogue_alias_mixin
from . import fleet_vehicle_model_brand
from . import fleet_vehicle_model
from . import dealer_vehicle
from . import dealer_vehicle_odometer
from . import dealer_vehicle_ownership
from . import res_partner
from . import project_task
