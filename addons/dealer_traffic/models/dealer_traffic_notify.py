from odoo import api, fields, models

from .dealer_traffic import OPEN_STATES

# Bus notification types the web client listens to.
BUS_UNPROCESSED = "dealer_traffic/unprocessed"
BUS_QUEUE = "dealer_traffic/queue"


# Kept apart from the workflow (dealer_traffic.py) and the follow-ups: one concern per
# file for a model this large.
class DealerTraffic(models.Model):
    """Nobody misses a contact: the live counter of each employee's unprocessed
    traffic, the queue board kept current, assignments always in the Discuss inbox."""

    _inherit = "dealer.traffic"  # pylint: disable=consider-merging-classes-inherited

    queue_count = fields.Integer(
        string="Waiting in Queue",
        compute="_compute_queue_count",
        help="Walk-ins of the branch waiting in the queue now.",
    )

    def _compute_queue_count(self):
        counts = dict(
            self._read_group(
                [("state", "=", "queued"), ("company_id", "in", self.company_id.ids)],
                ["company_id"],
                ["__count"],
            )
        )
        for traffic in self:
            traffic.queue_count = counts.get(traffic.company_id, 0)

    # --- the live counter -------------------------------------------------------------
    @api.model
    def get_unprocessed_counter(self):
        """The current user's counter for the top bar: shown to consultants, with
        the number of their contacts not processed yet."""
        visible = self.env.user.has_group("dealer_base.group_dealer_consultant")
        count = self._unprocessed_counts(self.env.user).get(self.env.uid, 0) if visible else 0
        return {"visible": visible, "count": count}

    @api.model
    def _unprocessed_counts(self, users):
        """{user id: number of open contacts they are responsible for}."""
        if not users:
            return {}
        # sudo: counts the users' own contacts, which they may read, for whoever
        # changed them (an operator, a colleague handing a contact over).
        rows = (
            self.sudo()
            .with_context(active_test=False)
            ._read_group(
                [("user_id", "in", users.ids), ("state", "in", OPEN_STATES)],
                ["user_id"],
                ["__count"],
            )
        )
        return {user.id: count for user, count in rows}

    @api.model
    def _send_unprocessed_counters(self, users):
        users = users.filtered(lambda u: not u.share)
        counts = self._unprocessed_counts(users)
        for user in users:
            user._bus_send(BUS_UNPROCESSED, {"count": counts.get(user.id, 0)})

    def _send_queue_changed(self):
        """Tell the dealership's staff that the queue of these branches changed: the
        payload carries no contact data, each board reloads with its user's rights."""
        staff = self.env.ref("dealer_base.group_dealer_operator", raise_if_not_found=False)
        if staff and self:
            staff._bus_send(BUS_QUEUE, {"company_ids": self.company_id.ids})

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._send_unprocessed_counters(
            records.filtered(lambda t: t.state in OPEN_STATES).user_id
        )
        records.filtered(lambda t: t.state == "queued")._send_queue_changed()
        return records

    def write(self, vals):
        if not {"state", "user_id"} & set(vals):
            return super().write(vals)
        users_before = self.user_id
        queued_before = self.filtered(lambda t: t.state == "queued")
        result = super().write(vals)
        # sudo: routing a contact may take it out of the writer's sight; it is read
        # back only to tell the employees concerned, with no contact data.
        after = self.sudo()
        self._send_unprocessed_counters(users_before | after.user_id)
        # sudo: as ``after``, for the contacts that were queued before the write.
        (queued_before.sudo() | after.filtered(lambda t: t.state == "queued"))._send_queue_changed()
        return result

    # --- the Discuss inbox --------------------------------------------------------------
    def _notify_get_recipients(self, message, msg_vals, **kwargs):
        """With ``dealer_force_inbox`` in the context, the employees a message is
        addressed to get it in their Discuss inbox even when they chose to be
        notified by e-mail: an assigned contact must not wait in a mailbox."""
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        if self.env.context.get("dealer_force_inbox"):
            addressed = set(
                # sudo: the message's recipients, whom Odoo itself is notifying.
                msg_vals.get("partner_ids", []) if msg_vals else message.sudo().partner_ids.ids
            )
            for recipient in recipients:
                if recipient["id"] in addressed and recipient["uid"] and not recipient["share"]:
                    recipient["notif"] = "inbox"
        return recipients

    # --- a walk-in queued for someone -------------------------------------------------
    def action_queue(self):
        result = super().action_queue()
        self.filtered("user_id")._notify_responsible(
            self.env._("A walk-in is waiting for you in the queue.")
        )
        return result
