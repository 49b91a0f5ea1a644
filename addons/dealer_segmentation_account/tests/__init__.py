from . import test_account_source
