from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

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

    campaign_id = fields.Many2one(
        "dealer.campaign", required=True, ondelete="cascade", index=True, readonly=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, index=True, ondelete="cascade"
    )
    phone = fields.Char(string="Contact")
    note = fields.Char()
    planned_date = fields.Datetime(string="Planned Contact Date", readonly=True)
    user_id = fields.Many2one("res.users", string="Employee", index=True, readonly=True)
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
    company_id = fields.Many2one(related="campaign_id.company_id", store=True, string="Branch")
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
        """Give each contact its employee and planned time, and a call task in the
        direction's project; tasks of contacts moving to another employee follow them.
        Set-based: a campaign has up to a hundred thousand contacts, and call tasks
        made in bulk neither notify nor log each assignment."""
        project = campaign.direction_id.project_id
        if not project:
            raise UserError(
                self.env._(
                    "The direction %s has no project for its tasks: set it in the configuration.",
                    campaign.direction_id.name,
                )
            )
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """UPDATE dealer_campaign_contact c
                      SET user_id = v.user_id, planned_date = v.at,
                          write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
                     FROM unnest(%(ids)s::int[], %(users)s::int[], %(ats)s::timestamp[])
                          AS v(id, user_id, at)
                    WHERE c.id = v.id""",
                ids=contacts.ids,
                users=[user.id for user, _at in slots],
                ats=[at for _user, at in slots],
                uid=self.env.uid,
            )
        )
        # Tasks of contacts changing hands follow them.
        cr.execute(
            SQL(
                """WITH moved AS (
                       SELECT c.task_id, c.user_id, c.planned_date FROM dealer_campaign_contact c
                        WHERE c.id = ANY(%(ids)s) AND c.task_id IS NOT NULL),
                   gone AS (
                       DELETE FROM project_task_user_rel r USING moved
                        WHERE r.task_id = moved.task_id)
                   INSERT INTO project_task_user_rel (task_id, user_id)
                   SELECT task_id, user_id FROM moved""",
                ids=contacts.ids,
            )
        )
        cr.execute(
            SQL(
                """UPDATE project_task t SET date_deadline = c.planned_date,
                          write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
                     FROM dealer_campaign_contact c
                    WHERE c.id = ANY(%(ids)s) AND t.id = c.task_id""",
                ids=contacts.ids,
                uid=self.env.uid,
            )
        )
        cr.execute(
            SQL(
                """WITH new AS (
                       INSERT INTO project_task
                           (name, project_id, stage_id, state, active, company_id, partner_id,
                            vehicle_id, date_deadline, date_assign, date_last_stage_update,
                            sequence, priority, display_in_project, dealer_direction_id,
                            dealer_funnel_rank, allocated_hours, recurring_task,
                            campaign_contact_id, dealer_campaign_id,
                            create_uid, create_date, write_uid, write_date)
                       SELECT %(name)s, %(project)s, %(stage)s, '01_in_progress', TRUE,
                              %(company)s, c.partner_id, c.vehicle_id, c.planned_date,
                              now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', 10, '0', TRUE,
                              %(direction)s, 0, 0, FALSE, c.id, %(campaign)s,
                              %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                         FROM dealer_campaign_contact c
                        WHERE c.id = ANY(%(ids)s) AND c.task_id IS NULL
                        ORDER BY c.id
                       RETURNING id, campaign_contact_id),
                   linked AS (
                       UPDATE dealer_campaign_contact c SET task_id = new.id
                         FROM new WHERE c.id = new.campaign_contact_id)
                   INSERT INTO project_task_user_rel (task_id, user_id)
                   SELECT new.id, c.user_id FROM new
                     JOIN dealer_campaign_contact c ON c.id = new.campaign_contact_id""",
                name=self.env._("Call: %(campaign)s", campaign=campaign.name),
                project=project.id,
                stage=project.type_ids[:1].id,
                company=campaign.company_id.id,
                direction=campaign.direction_id.id,
                campaign=campaign.id,
                ids=contacts.ids,
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
