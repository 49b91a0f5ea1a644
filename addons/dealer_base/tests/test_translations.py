from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader


@tagged("post_install", "-at_install")
class TestRussianTranslation(TransactionCase):
    """Staff work in Russian: every term of every installed dealer addon (code,
    views, data, selections, help) has a Russian translation in its ru.po."""

    def test_every_term_of_the_dealer_addons_is_translated(self):
        modules = (
            self.env["ir.module.module"]
            .search([("name", "=like", "dealer\\_%"), ("state", "=", "installed")])
            .mapped("name")
        )
        self.assertIn("dealer_base", modules)
        missing = []
        for module in modules:
            po_path = Path(get_module_path(module)) / "i18n" / "ru.po"
            self.assertTrue(po_path.exists(), f"{module} has no i18n/ru.po")
            translated = {
                entry.msgid
                for entry in polib.pofile(str(po_path))
                if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
            }
            terms = {
                source
                for term_module, _type, _name, _res_id, source, _value, _comments in (
                    TranslationModuleReader(self.env.cr, modules=[module])
                )
                if term_module == module and source
            }
            missing += [f"{module}: {term!r}" for term in sorted(terms - translated)]
        self.assertFalse(
            missing, f"{len(missing)} terms without Russian translation:\n" + "\n".join(missing)
        )
