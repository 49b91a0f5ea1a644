from .vehicle import normalize_plate, normalize_vin, vin_error
