from odoo import api, models


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        """Every SMS of a branch with a gateway goes through it — composer, templates,
        marketing and our rules alike; the others keep Odoo's own way."""
        Provider = self.env["dealer.sms.provider"]
        own = {}
        odoo_way = self.browse()
        for company, smss in self._dealer_by_company().items():
            provider = Provider._for_company(company)
            if provider:
                own[provider] = own.get(provider, self.browse()) | smss
            else:
                odoo_way |= smss
        for provider, smss in own.items():
            self.env["dealer.notification"]._send_sms(provider, smss, unlink_sent=unlink_sent)
        if odoo_way:
            return super(SmsSms, odoo_way)._send(
                unlink_failed=unlink_failed,
                unlink_sent=unlink_sent,
                raise_exception=raise_exception,
            )

    def _dealer_by_company(self):
        """The branch each SMS is sent for: its log line's, else its document's,
        else the client's, else the sender's current branch."""
        # sudo: only branches are read, to pick the gateway.
        lines = (
            self.env["dealer.notification"].sudo().search([("sms_uuid", "in", self.mapped("uuid"))])
        )
        by_uuid = {line.sms_uuid: line.company_id for line in lines}
        groups = {}
        for sms in self.sudo():
            company = by_uuid.get(sms.uuid)
            message = sms.mail_message_id
            if not company and message.model and message.res_id and message.model in self.env:
                document = self.env[message.model].browse(message.res_id).exists()
                if document and "company_id" in document._fields:
                    company = document.company_id
            company = company or sms.partner_id.company_id or self.env.company
            groups.setdefault(company, self.browse())
            groups[company] |= sms.sudo(False)
        return groups

    @api.model
    def _process_queue(self, ids=None):
        # Scheduled runs commit a message «sending» before its request leaves.
        return super(SmsSms, self.with_context(dealer_notify_commit=True))._process_queue(ids=ids)
