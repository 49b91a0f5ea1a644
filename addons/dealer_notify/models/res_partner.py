from odoo import api, fields, models

# Client card field → consent of the register.
CONSENT_FIELDS = {
    "consent_personal_data": "personal_data",
    "consent_sms": "sms",
    "consent_email": "email",
    "consent_phone_survey": "phone_survey",
    "do_not_call": "do_not_call",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    consent_log_ids = fields.One2many("dealer.consent.log", "partner_id", string="Consent Register")
    consent_log_count = fields.Integer(compute="_compute_consent_log_count")

    def _compute_consent_log_count(self):
        counts = dict(
            self.env["dealer.consent.log"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.consent_log_count = counts.get(partner, 0)

    def _consent_source(self):
        context = self.env.context
        if context.get("dealer_consent_source"):
            return context["dealer_consent_source"]
        return "import" if context.get("import_file") else "card"

    def _log_consents(self, changes):
        """``changes``: (partner, field, value) written; one register line each."""
        if not changes:
            return
        source = self._consent_source()
        # sudo: the register is written by the system whoever changes a consent;
        # staff only read it.
        self.env["dealer.consent.log"].sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "consent": CONSENT_FIELDS[field],
                    "value": bool(value),
                    "source": source,
                    "user_id": self.env.uid,
                    "address": self.env.context.get("dealer_consent_address"),
                    "note": self.env.context.get("dealer_consent_note"),
                }
                for partner, field, value in changes
            ]
        )

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        self._log_consents(
            [
                (partner, field, vals[field])
                for partner, vals in zip(partners, vals_list, strict=True)
                for field in CONSENT_FIELDS
                if vals.get(field)
            ]
        )
        return partners

    def write(self, vals):
        fields_written = [field for field in CONSENT_FIELDS if field in vals]
        before = {
            (partner.id, field): partner[field] for partner in self for field in fields_written
        }
        result = super().write(vals)
        self._log_consents(
            [
                (partner, field, vals[field])
                for partner in self
                for field in fields_written
                if bool(before[partner.id, field]) != bool(vals[field])
            ]
        )
        return result
