from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

DEALER_KINDS = [("post_service", "Post-Service Survey")]
# Service days looked back beyond the N-th: tasks closed late, a cron that did not
# run for a few days or a client whose consent came after the service are still
# listed; the unique (survey, task) pair keeps each task to one call.
PLAN_CATCH_UP_DAYS = 7


class SurveySurvey(models.Model):
    _inherit = "survey.survey"

    dealer_kind = fields.Selection(
        DEALER_KINDS,
        string="Dealership Survey Kind",
        help="Post-service surveys list the clients of done service tasks to call N days "
        "after the service; a negative answer registers an appeal.",
    )
    dealer_days_after = fields.Integer(
        string="Days After the Service",
        default=3,
        help="The client is called on this day after the service task is done.",
    )
    dealer_direction_id = fields.Many2one(
        "dealer.direction",
        string="Direction",
        default=lambda self: self.env.ref("dealer_base.direction_service", False),
        ondelete="restrict",
        help="Done tasks of this direction are surveyed.",
    )
    dealer_company_ids = fields.Many2many(
        "res.company",
        "survey_survey_dealer_company_rel",
        "survey_id",
        "company_id",
        string="Branches",
        help="Tasks of these branches (and their sub-branches) are surveyed; none: every branch.",
    )
    dealer_user_ids = fields.Many2many(
        "res.users",
        "survey_survey_dealer_user_rel",
        "survey_id",
        "user_id",
        string="Operators",
        domain="[('share', '=', False)]",
        help="The employees who call the clients; new calls go to them in turn.",
    )
    dealer_plan_active = fields.Boolean(
        string="Plan Calls Daily",
        default=True,
        help="The scheduled action lists the clients to call every day.",
    )
    dealer_call_ids = fields.One2many("dealer.survey.call", "survey_id", string="Survey Calls")
    dealer_call_count = fields.Integer(string="Calls", compute="_compute_dealer_call_count")

    @api.constrains("dealer_days_after")
    def _check_dealer_days_after(self):
        if any(survey.dealer_days_after < 0 for survey in self):
            raise ValidationError(self.env._("The days after the service cannot be negative."))

    def _compute_dealer_call_count(self):
        counts = dict(
            self.env["dealer.survey.call"]._read_group(
                [("survey_id", "in", self.ids)], ["survey_id"], ["__count"]
            )
        )
        for survey in self:
            survey.dealer_call_count = counts.get(survey, 0)

    def action_view_dealer_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "dealer_complaint.action_dealer_survey_call"
        )
        action["domain"] = [("survey_id", "=", self.id)]
        action["context"] = {"default_survey_id": self.id}
        return action

    def action_dealer_plan_calls(self):
        """The daily planning, now: for a survey just set up or after a pause."""
        self.check_access("write")
        count = sum(survey._plan_post_service_calls() for survey in self)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if count else "info",
                "message": self.env._("%(count)s clients added to the call list.", count=count),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # --- planning -----------------------------------------------------------------------
    @api.model
    def _cron_plan_post_service_calls(self):
        surveys = self.search(
            [("dealer_kind", "=", "post_service"), ("dealer_plan_active", "=", True)]
        )
        for survey in surveys:
            survey._plan_post_service_calls()

    def _plan_post_service_calls(self, today=None):
        """List the clients of the done service tasks of the N-th day after the
        service (and the days before it not listed yet): one call per task, only
        clients who agreed to phone surveys and did not ask not to be called, the
        operators in turn. Set-based: a branch network closes thousands of tasks a
        day among millions. Returns the number of calls added."""
        self.ensure_one()
        if self.dealer_kind != "post_service" or not self.active or not self.dealer_direction_id:
            return 0
        rule = self.env["dealer.notification.rule"]
        tz_name = rule._branch_tz()
        tz = pytz.timezone(tz_name)
        today = today or fields.Datetime.now().replace(tzinfo=pytz.utc).astimezone(tz).date()
        last_day = today - timedelta(days=self.dealer_days_after)
        first_day = last_day - timedelta(days=PLAN_CATCH_UP_DAYS)

        def utc(day):
            local = tz.localize(datetime.combine(day, time.min))
            return local.astimezone(pytz.utc).replace(tzinfo=None)

        filters = []
        if self.dealer_company_ids:
            # sudo: only the ids of the sub-branches are read, whoever plans.
            branches = (
                self.env["res.company"]
                .sudo()
                .search([("id", "child_of", self.dealer_company_ids.ids)])
            )
            filters.append(SQL("AND t.company_id = ANY(%s)", branches.ids))
        operators = self.dealer_user_ids.filtered("active").ids
        calls = self.env["dealer.survey.call"]
        calls.flush_model()
        self.env["project.task"].flush_model(
            ["state", "active", "dealer_direction_id", "date_end", "date_last_stage_update"]
        )
        self.env["res.partner"].flush_model(
            ["active", "consent_phone_survey", "do_not_call", "mobile", "phone"]
        )
        if operators:
            # Continue the turn where the previous plannings of the survey stopped.
            self.env.cr.execute(
                SQL("SELECT count(*) FROM dealer_survey_call WHERE survey_id = %s", self.id)
            )
            offset = self.env.cr.fetchone()[0]
            operator = SQL(
                "(%s::int[])[1 + mod(%s + row_number() OVER (ORDER BY due.done_at, due.task_id)"
                " - 1, %s)]",
                operators,
                offset,
                len(operators),
            )
        else:
            operator = SQL("NULL::int")
        self.env.cr.execute(
            SQL(
                """WITH due AS (
                       SELECT t.id AS task_id, t.partner_id, t.vehicle_id,
                              COALESCE(t.company_id, %(company)s) AS company_id,
                              COALESCE(NULLIF(p.mobile, ''), NULLIF(p.phone, '')) AS phone,
                              COALESCE(t.date_end, t.date_last_stage_update) AS done_at
                         FROM project_task t
                         JOIN res_partner p ON p.id = t.partner_id
                        WHERE t.state = '1_done' AND t.active
                          AND t.dealer_direction_id = %(direction)s
                          AND COALESCE(t.date_end, t.date_last_stage_update) >= %(start)s
                          AND COALESCE(t.date_end, t.date_last_stage_update) < %(end)s
                          AND p.active AND p.consent_phone_survey IS TRUE
                          AND p.do_not_call IS NOT TRUE
                          %(filters)s
                          AND NOT EXISTS (
                              SELECT 1 FROM dealer_survey_call c
                               WHERE c.survey_id = %(survey)s AND c.task_id = t.id))
                   INSERT INTO dealer_survey_call
                          (survey_id, task_id, partner_id, vehicle_id, company_id, phone,
                           date_service, date_planned, user_id, state, is_negative,
                           attempt_count, create_uid, create_date, write_uid, write_date)
                   SELECT %(survey)s, due.task_id, due.partner_id, due.vehicle_id,
                          due.company_id, due.phone, due.done_at,
                          ((due.done_at AT TIME ZONE 'UTC') AT TIME ZONE %(tz)s)::date
                              + %(days)s,
                          %(operator)s, 'to_call', FALSE, 0,
                          %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                     FROM due
                   ON CONFLICT (survey_id, task_id) DO NOTHING""",
                company=self.env.ref("base.main_company").id,
                direction=self.dealer_direction_id.id,
                start=utc(first_day),
                end=utc(last_day + timedelta(days=1)),
                filters=SQL(" ").join(filters),
                survey=self.id,
                tz=tz_name,
                days=self.dealer_days_after,
                operator=operator,
                uid=self.env.uid,
            )
        )
        added = self.env.cr.rowcount
        calls.invalidate_model()
        self.invalidate_recordset(["dealer_call_ids", "dealer_call_count"])
        return added
