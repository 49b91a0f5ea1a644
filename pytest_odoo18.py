"""pytest plugin that ``./dev pytest`` loads next to pytest-odoo (``-p pytest_odoo18``).

Odoo 18's own runner marks the running test in ``odoo.modules.module.current_test``,
and code that commits in batches (Odoo's and ours, e.g. the automatic ignoring of
traffic) skips its commits while it is set: a commit inside a test would end the
test's transaction. pytest-odoo sets it only from Odoo 19 on, so it is done here.
Not a root conftest.py: the tests of tests/ import their own ``conftest``.
"""

import pytest


def _odoo_module(config):
    if not config.pluginmanager.has_plugin("odoo"):
        return None
    from odoo.modules import module

    return module


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    module = _odoo_module(item.config)
    if module is not None:
        # Before the class set-up runs, as in odoo.tests.suite.TestSuite.run.
        module.current_test = getattr(item, "instance", None) or True


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        module = _odoo_module(item.config)
        if module is not None:
            module.current_test = False
