from . import dealer_vehicle
from . import dealer_vehicle_odometer
from . import dealer_vehicle_ownership
from . import res_partner
from . import project_task
