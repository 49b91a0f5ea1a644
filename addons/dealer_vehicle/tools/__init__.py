from .catalogue import (
    catalogue_search_domain,
    catalogue_search_text,
    merge_aliases,
    split_aliases,
)
from .vehicle import normalize_plate, normalize_vin, vin_error
