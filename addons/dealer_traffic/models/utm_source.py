from odoo import api, fields, models


class UtmSource(models.Model):
    """The dealership's own information sources come before Odoo's (Search engine,
    Newsletter, ...) wherever sources are listed, the registration screen first."""

    _inherit = "utm.source"
    _order = "is_dealer desc, sequence, name, id"

    is_dealer = fields.Boolean(
        string="Dealership Source",
        default=False,
        help="A source the dealership asks its clients about: listed first.",
    )
    sequence = fields.Integer(default=10)

    @api.model
    def _dealer_mark_own(self, xmlids):
        """Mark the dealership's sources of the data (``xmlids``, in their order) as
        its own, on installation and on every update; those already marked keep the
        order staff gave them."""
        for sequence, xmlid in enumerate(xmlids, start=1):
            source = self.env.ref(xmlid, raise_if_not_found=False)
            if source and source._name == self._name and not source.is_dealer:
                source.write({"is_dealer": True, "sequence": sequence})
