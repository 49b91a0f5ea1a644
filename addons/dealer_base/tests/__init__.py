from . import test_phone_normalize
from . import test_translations
from . import test_find_by_phone
from . import test_client_search
from . import test_access
from . import test_input_validation
from . import test_normalizers_property
