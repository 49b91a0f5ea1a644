from . import test_sale_source
