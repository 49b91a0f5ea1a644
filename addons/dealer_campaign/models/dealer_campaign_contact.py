from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.bulk import part_count, run_parts, split

OUTCOMES = [
    ("informed", "Informed"),
    ("unreachable", "Unreachable"),
    ("refused", "Refused"),
    ("wrong_number", "Wrong Number"),
]
SOURCES = [
    ("system", "System Data"),
    ("clipboard", "Clipboard"),
    ("text", "Text File"),
    ("excel", "Excel File"),
]


class DealerCampaignContact(models.Model):
    """A planned contact of a campaign («запланированный контакт»): whom to call (or
    write to), when, by whom, and how it ended."""

    _name = "dealer.campaign.contact"
    _description = "Planned Contact"
    _order = "planned_date, id"
    _rec_name = "partner_id"

    # No index of its own: the unique (campaign, client) index serves it.
    campaign_id = fields.Many2one(
        "dealer.campaign", required=True, ondelete="cascade", readonly=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, index=True, ondelete="cascade"
    )
    phone = fields.Char(string="Contact")
    note = fields.Char()
    planned_date = fields.Datetime(string="Planned Contact Date", readonly=True)
    user_id = fields.Many2one("res.users", string="Employee", index="btree_not_null", readonly=True)
    task_id = fields.Many2one(
        "project.task", string="Call Task", readonly=True, index="btree_not_null"
    )
    vehicle_id = fields.Many2one("dealer.vehicle")
    state = fields.Selection(
        [("planned", "Planned"), ("done", "Done")], default="planned", required=True, readonly=True
    )
    outcome = fields.Selection(OUTCOMES, string="Contact Outcome", readonly=True)
    outcome_comment = fields.Char(readonly=True)
    outcome_user_id = fields.Many2one("res.users", string="Outcome Set By", readonly=True)
    outcome_date = fields.Datetime(string="Outcome Set On", readonly=True)
    traffic_id = fields.Many2one("dealer.traffic", string="Outgoing Contact", readonly=True)
    appointment_count = fields.Integer(
        string="Appointments",
        compute="_compute_results",
        store=True,
        help="Appointments (or further) the informed client's contact was processed into.",
    )
    deal_count = fields.Integer(string="Deals", compute="_compute_results", store=True)
    notification_id = fields.Many2one("dealer.notification", string="Message", readonly=True)
    delivery_state = fields.Selection(related="notification_id.state", string="Delivery")
    source = fields.Selection(SOURCES, default="system", readonly=True)
    # Not stored: the campaign's, read through it (a stored copy is a foreign key checked
    # for each of the hundred thousand contacts a segment adds).
    company_id = fields.Many2one(related="campaign_id.company_id", string="Branch")
    goal_id = fields.Many2one(related="campaign_id.goal_id")

    _sql_constraints = [
        (
            "campaign_partner_unique",
            "UNIQUE(campaign_id, partner_id)",
            "The client is already in the campaign.",
        )
    ]

    @api.depends("traffic_id.task_ids.dealer_funnel_rank")
    def _compute_results(self):
        for contact in self:
            ranks = contact.traffic_id.task_ids.mapped("dealer_funnel_rank")
            contact.appointment_count = sum(1 for rank in ranks if rank >= 1)
            contact.deal_count = sum(1 for rank in ranks if rank >= 3)

    # --- distribution ------------------------------------------------------------------
    @api.model
    def _assign(self, campaign, contacts, slots):
        """Give each contact — ``(id, task id or None)`` pairs, in the order of
        ``slots``, ``(user id, planned time)`` pairs — its employee and time, and a
        call task in the direction's project; tasks of contacts moving to another
        employee follow them.

        Set-based: a campaign has up to a hundred thousand contacts, and call tasks
        made in bulk neither notify nor log each assignment. Many contacts are written
        in parts at the same time (``tools.bulk``); a part that failed is reported,
        the others stay done, and distributing again finishes it."""
        if not campaign.direction_id.project_id:
            raise UserError(
                self.env._(
                    "The direction %s has no project for its tasks: set it in the configuration.",
                    campaign.direction_id.name,
                )
            )
        parts = part_count(self.env, len(contacts))
        if parts == 1:
            self._assign_part(campaign, contacts, slots)
            return
        chunks = list(zip(split(contacts, parts), split(slots, parts), strict=True))
        _results, errors = run_parts(
            self, "_assign_part", [(campaign, part, part_slots) for part, part_slots in chunks]
        )
        self.env.invalidate_all()
        failed = [error for error in errors if error]
        if failed:
            done = sum(
                len(part) for (part, _slots), error in zip(chunks, errors, strict=True) if not error
            )
            raise UserError(
                self.env._(
                    "%(done)s of %(count)s contacts were distributed; the others were not "
                    "(%(error)s). Distribute again to finish them.",
                    done=done,
                    count=len(contacts),
                    error=failed[0],
                )
            )

    def _assign_part(self, campaign, contacts, slots):
        """``_assign`` in one transaction. Task ids are taken from the sequence first
        so that every table is written once, in one statement."""
        project = campaign.direction_id.project_id
        self.env.flush_all()
        cr = self.env.cr
        new = [i for i, (_contact, task) in enumerate(contacts) if not task]
        cr.execute(
            SQL(
                "SELECT nextval(pg_get_serial_sequence('project_task', 'id')) "
                "FROM generate_series(1, %s)",
                len(new),
            )
        )
        task_ids = [row[0] for row in cr.fetchall()]
        cr.execute(
            SQL(
                """INSERT INTO project_task
                       (id, name, project_id, stage_id, state, active, company_id, partner_id,
                        vehicle_id, date_deadline, date_assign, date_last_stage_update,
                        sequence, priority, display_in_project, dealer_direction_id,
                        dealer_funnel_rank, allocated_hours, recurring_task, dealer_campaign_id,
                        create_uid, create_date, write_uid, write_date)
                   SELECT v.task_id, %(name)s, %(project)s, %(stage)s, '01_in_progress', TRUE,
                          %(company)s, c.partner_id, c.vehicle_id, v.at,
                          now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', 10, '0', TRUE,
                          %(direction)s, 0, 0, FALSE, %(campaign)s,
                          %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                     FROM unnest(%(task_ids)s::int[], %(ids)s::int[], %(ats)s::timestamp[])
                          AS v(task_id, contact_id, at)
                     JOIN dealer_campaign_contact c ON c.id = v.contact_id""",
                name=self.env._("Call: %(campaign)s", campaign=campaign.name),
                project=project.id,
                stage=project.type_ids[:1].id,
                company=campaign.company_id.id,
                direction=campaign.direction_id.id,
                campaign=campaign.id,
                task_ids=task_ids,
                ids=[contacts[i][0] for i in new],
                ats=[slots[i][1] for i in new],
                uid=self.env.uid,
            )
        )
        # Tasks of contacts changing hands follow them: new assignee and deadline.
        moved = [i for i, (_contact, task) in enumerate(contacts) if task]
        moved_tasks = [contacts[i][1] for i in moved]
        cr.execute(
            SQL(
                """WITH v AS (
                       SELECT * FROM unnest(%(tasks)s::int[], %(users)s::int[],
                                            %(ats)s::timestamp[]) AS v(task_id, user_id, at)),
                   gone AS (
                       DELETE FROM project_task_user_rel r WHERE r.task_id = ANY(%(moved)s)),
                   dated AS (
                       UPDATE project_task t SET date_deadline = v.at,
                              write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
                         FROM v WHERE t.id = v.task_id AND t.id = ANY(%(moved)s))
                   INSERT INTO project_task_user_rel (task_id, user_id)
                   SELECT task_id, user_id FROM v""",
                tasks=task_ids + moved_tasks,
                users=[slots[i][0] for i in new] + [slots[i][0] for i in moved],
                ats=[slots[i][1] for i in new] + [slots[i][1] for i in moved],
                moved=moved_tasks,
                uid=self.env.uid,
            )
        )
        task_of = dict(zip(new, task_ids, strict=True))
        cr.execute(
            SQL(
                """UPDATE dealer_campaign_contact c
                      SET user_id = v.user_id, planned_date = v.at,
                          task_id = COALESCE(v.task_id, c.task_id),
                          write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
                     FROM unnest(%(ids)s::int[], %(users)s::int[], %(ats)s::timestamp[],
                                 %(tasks)s::int[]) AS v(id, user_id, at, task_id)
                    WHERE c.id = v.id""",
                ids=[contact for contact, _task in contacts],
                users=[user for user, _at in slots],
                ats=[at for _user, at in slots],
                tasks=[task_of.get(i) for i in range(len(contacts))],
                uid=self.env.uid,
            )
        )
        self.env.invalidate_all()

    # --- outcome ------------------------------------------------------------------------
    def action_open_outcome(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Contact Outcome"),
            "res_model": "dealer.campaign.outcome",
            "view_mode": "form",
            "target": "new",
            "context": {"default_contact_id": self.id},
        }

    def _check_can_work(self):
        user = self.env.user
        for contact in self:
            own = contact.user_id == user
            if not own and not user.has_group("dealer_base.group_dealer_supervisor"):
                raise UserError(
                    self.env._(
                        "The contact %s is planned for a colleague.", contact.partner_id.name
                    )
                )

    def action_set_outcome(self, outcome, comment=False):
        """The call was made: its outcome, who set it and when. An informed client
        gets an outgoing contact of the campaign's goal and source, in the caller's
        work, so the funnel and the campaign's results count it; the call task is done."""
        if outcome not in dict(OUTCOMES):
            raise UserError(self.env._("Unknown contact outcome: %s.", outcome))
        self._check_can_work()
        now = fields.Datetime.now()
        for contact in self:
            if contact.outcome:
                raise UserError(
                    self.env._(
                        "The outcome of %s is already set; a supervisor can reset it.",
                        contact.partner_id.name,
                    )
                )
            # sudo: outcome fields are readonly in views; this action owns them.
            contact.sudo().write(
                {
                    "outcome": outcome,
                    "outcome_comment": comment,
                    "outcome_user_id": self.env.uid,
                    "outcome_date": now,
                    "state": "done",
                }
            )
            if outcome == "informed":
                contact._create_traffic()
            if contact.task_id:
                done = contact.task_id.project_id.type_ids.filtered("fold")[:1]
                values = {"state": "1_done"}
                if done:
                    values["stage_id"] = done.id
                contact.task_id.sudo().write(values)
            if outcome == "wrong_number" and contact.phone:
                contact.partner_id.message_post(
                    body=self.env._(
                        "Campaign %(campaign)s: the number %(phone)s is wrong.",
                        campaign=contact.campaign_id.name,
                        phone=contact.phone,
                    )
                )
        return True

    def action_reset_outcome(self):
        if not self.env.user.has_group("dealer_base.group_dealer_supervisor"):
            raise UserError(self.env._("Only supervisors reset an outcome."))
        self.sudo().write(
            {
                "outcome": False,
                "outcome_comment": False,
                "outcome_user_id": False,
                "outcome_date": False,
                "state": "planned",
            }
        )
        return True

    def _create_traffic(self):
        campaign = self.campaign_id
        caller = self.env.user
        traffic = self.env["dealer.traffic"].create(
            {
                "channel_id": self.env.ref("dealer_traffic.channel_call").id,
                "direction_id": campaign.direction_id.id,
                "goal_id": campaign.goal_id.id,
                "partner_id": self.partner_id.id,
                "user_id": caller.id,
                "source_id": self.env.ref("dealer_campaign.utm_source_campaign").id,
                "dealer_utm_campaign_id": campaign.utm_campaign_id.id,
                "company_id": campaign.company_id.id,
                "note": self.outcome_comment or campaign.name,
            }
        )
        traffic.action_register()
        # sudo: the contact's link is the campaign's, written by this action.
        self.sudo().traffic_id = traffic
