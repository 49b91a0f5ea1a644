import base64
import io
from datetime import datetime, time, timedelta

import pytz
import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date

# The wizard shows the first comments only; the PDF and the workbook hold them all.
SCREEN_COMMENTS = 100


def share(part, whole):
    """``part`` in per cent of ``whole`` (0 when there is no whole), to two decimals."""
    return round(100.0 * part / whole, 2) if whole else 0.0


class DealerComplaintFollowup(models.TransientModel):
    """«Follow up PS»: the post-service survey of a period — service documents,
    clients to survey and surveyed, positive and negative comments — with the
    complaints by category («% от кол-ва опрошенных», «% от кол-ва жалоб») and the
    clients' comments; shown on screen, printed as a PDF or downloaded as Excel."""

    _name = "dealer.complaint.followup"
    _description = "Follow up PS Report"

    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    company_ids = fields.Many2many(
        "res.company",
        string="Branches",
        help="Empty: every branch you see.",
    )
    survey_ids = fields.Many2many(
        "survey.survey",
        string="Surveys",
        domain="[('dealer_kind', '=', 'post_service')]",
        help="Empty: every post-service survey.",
    )
    complaint_source = fields.Selection(
        [("survey", "From the surveys"), ("all", "All complaints")],
        string="Complaints Counted",
        required=True,
        default="survey",
        help="From the surveys: the complaints registered from the answers of the surveyed "
        "clients (as «Follow up PS» counts them). All complaints: every appeal of a complaint "
        "type received in the period, whatever its source.",
    )
    # Not sanitized: rendered here by QWeb from escaped values, never typed by anyone.
    report_html = fields.Html(
        string="Report", compute="_compute_report_html", sanitize=False, readonly=True
    )
    xlsx_file = fields.Binary(string="Excel File", attachment=False, readonly=True)
    xlsx_filename = fields.Char(readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(wizard._period_error())

    def _period_error(self):
        return self.env._("The period cannot start after it ends.")

    @api.depends("date_from", "date_to", "company_ids", "survey_ids", "complaint_source")
    def _compute_report_html(self):
        for wizard in self:
            if not (wizard.date_from and wizard.date_to):
                wizard.report_html = False
                continue
            if wizard.date_from > wizard.date_to:
                wizard.report_html = self.env["ir.qweb"]._render(
                    "dealer_complaint.report_complaint_followup_error",
                    {"message": wizard._period_error()},
                )
                continue
            wizard.report_html = self.env["ir.qweb"]._render(
                "dealer_complaint.report_complaint_followup_document",
                {"f": wizard._followup_figures(), "comments_limit": SCREEN_COMMENTS},
            )

    # --- the figures --------------------------------------------------------------------
    def _timezone(self):
        """The branch's time zone, as the survey planning uses: the figures of a period
        must not depend on who runs the report."""
        return pytz.timezone(self.env["dealer.notification.rule"]._branch_tz())

    def _period_bounds(self):
        """The period as naive UTC datetimes [start, end) of the branch's days."""
        tz = self._timezone()

        def utc(day):
            return (
                tz.localize(datetime.combine(day, time.min))
                .astimezone(pytz.utc)
                .replace(tzinfo=None)
            )

        return utc(self.date_from), utc(self.date_to + timedelta(days=1))

    def _surveys(self):
        """The surveys reported on: the chosen ones, else every post-service survey."""
        # sudo: only the surveys' ids, titles and directions are read, and employees
        # who call or report need no rights on the surveys' design; the calls, tasks
        # and appeals counted are read with the user's rights.
        Survey = self.env["survey.survey"].sudo().with_context(active_test=False)
        if self.survey_ids._origin:
            return Survey.browse(self.survey_ids._origin.ids)
        return Survey.search([("dealer_kind", "=", "post_service")])

    def _company_domain(self):
        companies = self.company_ids._origin
        return [("company_id", "in", companies.ids)] if companies else []

    def _count_documents(self, directions, start, end):
        """Done tasks of the surveyed directions closed in the period, counted in SQL
        on the same done date as the survey planning (its index serves both), over
        the tasks the user may read."""
        if not directions:
            return 0
        Task = self.env["project.task"]
        query = Task._search(
            [
                ("state", "=", "1_done"),
                ("dealer_direction_id", "in", directions.ids),
                *self._company_domain(),
            ]
        )
        done_at = SQL(
            "COALESCE(%s, %s)",
            Task._field_to_sql(query.table, "date_end", query),
            Task._field_to_sql(query.table, "date_last_stage_update", query),
        )
        query.add_where(SQL("%s >= %s AND %s < %s", done_at, start, done_at, end))
        return self.env.execute_query(query.select(SQL("count(*)")))[0][0]

    def _call_domain(self, surveys, start, end):
        """Calls about the services of the period (by hand, without a service date:
        planned in the period)."""
        return [
            ("survey_id", "in", surveys.ids),
            *self._company_domain(),
            "|",
            "&",
            ("date_service", ">=", start),
            ("date_service", "<", end),
            "&",
            ("date_service", "=", False),
            "&",
            ("date_planned", ">=", self.date_from),
            ("date_planned", "<=", self.date_to),
        ]

    def _complaint_domain(self, surveys, start, end):
        domain = [
            ("date_received", ">=", start),
            ("date_received", "<", end),
            ("type_id.counts_as_complaint", "=", True),
            *self._company_domain(),
        ]
        if self.complaint_source == "survey":
            domain.append(("survey_call_id.survey_id", "in", surveys.ids))
        return domain

    def _complaints_by_reason(self, domain, surveyed):
        """The complaints table: every reason (zeros too) in the order of the reason
        tree, with its count, its share of the surveyed clients and of all complaints
        counted; a reason group chosen as such, and appeals without a reason, get a
        line of their own when they have complaints. Returns (lines, total)."""
        groups = self.env["dealer.complaint"]._read_group(domain, ["reason_id"], ["__count"])
        counts = {reason.id: count for reason, count in groups}
        total = sum(counts.values())
        Reason = self.env["dealer.complaint.reason"]
        reasons = Reason.search([("child_ids", "=", False)]) | Reason.browse(
            [rid for rid in counts if rid]
        )

        def tree_order(reason):
            group = reason.parent_id or reason
            return (
                group.sequence,
                group.complete_name or "",
                group.id,
                bool(reason.parent_id),
                reason.sequence,
                reason.code,
                reason.complete_name or "",
                reason.id,
            )

        lines = [
            {
                "code": reason.code or "",
                "name": reason.complete_name,
                "count": counts.get(reason.id, 0),
            }
            for reason in reasons.sorted(tree_order)
        ]
        if counts.get(False):
            lines.append(
                {"code": "", "name": self.env._("No reason given"), "count": counts[False]}
            )
        for line in lines:
            line["share_surveyed"] = share(line["count"], surveyed)
            line["share_complaints"] = share(line["count"], total)
        return lines, total

    def _comments(self, call_domain):
        """The clients' comments of the surveyed calls, by service date."""
        tz = self._timezone()
        calls = self.env["dealer.survey.call"].search(
            [*call_domain, ("state", "=", "done"), ("comment", "!=", False)],
            order="date_service, date_planned, id",
        )
        # Tasks the user may not read show by name only (read gives names to all).
        readable = self.env["project.task"].search([("id", "in", calls.task_id.ids)])
        rows = []
        for call, values in zip(
            calls, calls.read(["partner_id", "vehicle_model_id", "task_id"]), strict=True
        ):
            task = call.task_id
            if task in readable:
                kind = task.dealer_appointment_kind_id.name or task.name
            else:
                kind = values["task_id"] and values["task_id"][1]
            day = (
                pytz.utc.localize(call.date_service).astimezone(tz).date()
                if call.date_service
                else call.date_planned
            )
            rows.append(
                {
                    "date": day,
                    "client": values["partner_id"] and values["partner_id"][1],
                    "city": call.partner_id.city or "",
                    "model": (values["vehicle_model_id"] or [0, ""])[1],
                    "task": kind or "",
                    "comment": call.comment,
                    "negative": call.is_negative,
                }
            )
        return rows

    def _followup_figures(self):
        """Every figure of the report, as plain values: the screen, the PDF, the
        workbook and the tests read this. Computed with the user's rights."""
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(self._period_error())
        start, end = self._period_bounds()
        surveys = self._surveys()
        call_domain = self._call_domain(surveys, start, end)
        groups = self.env["dealer.survey.call"]._read_group(
            call_domain, ["state", "is_negative"], ["__count"]
        )
        to_survey = sum(count for _state, _negative, count in groups)
        surveyed = sum(count for state, _negative, count in groups if state == "done")
        negative = sum(
            count for state, is_negative, count in groups if state == "done" and is_negative
        )
        positive = surveyed - negative
        categories, complaints = self._complaints_by_reason(
            self._complaint_domain(surveys, start, end), surveyed
        )
        companies = self.company_ids._origin
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "branches": ", ".join(companies.mapped("name")) or self.env._("All branches"),
            "surveys": ", ".join(surveys.mapped("title"))
            if self.survey_ids._origin
            else self.env._("All post-service surveys"),
            "complaint_source": dict(
                self._fields["complaint_source"]._description_selection(self.env)
            )[self.complaint_source],
            "documents": self._count_documents(surveys.dealer_direction_id, start, end),
            "to_survey": to_survey,
            "surveyed": surveyed,
            "surveyed_share": share(surveyed, to_survey),
            "positive": positive,
            "positive_share": share(positive, surveyed),
            "negative": negative,
            "negative_share": share(negative, surveyed),
            "categories": categories,
            "complaints": complaints,
            "complaints_share": share(complaints, surveyed),
            "comments": self._comments(call_domain),
        }

    # --- output -------------------------------------------------------------------------
    def action_print(self):
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(self._period_error())
        return self.env.ref("dealer_complaint.action_report_complaint_followup").report_action(self)

    def action_export_xlsx(self):
        """Download the report as an Excel workbook."""
        self.ensure_one()
        figures = self._followup_figures()
        self.write(
            {
                "xlsx_file": base64.b64encode(self._xlsx_content(figures)),
                "xlsx_filename": self.env._(
                    "Follow up PS %(start)s - %(end)s.xlsx",
                    start=self.date_from.isoformat(),
                    end=self.date_to.isoformat(),
                ),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/?model={self._name}&id={self.id}&field=xlsx_file"
            "&filename_field=xlsx_filename&download=true",
            "target": "download",
        }

    def _xlsx_content(self, figures=None):
        """The report as .xlsx bytes: a sheet of figures and categories, a sheet of
        comments; numbers are numbers, so the figures can be summed in Excel."""
        figures = figures or self._followup_figures()
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        style = {
            "title": book.add_format({"bold": True, "font_size": 14}),
            "bold": book.add_format({"bold": True}),
            "head": book.add_format(
                {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": 1}
            ),
            "cell": book.add_format({"border": 1}),
            "wrap": book.add_format({"border": 1, "text_wrap": 1, "valign": "top"}),
            "number": book.add_format({"border": 1, "num_format": "0"}),
            "percent": book.add_format({"border": 1, "num_format": "0.00"}),
            "total": book.add_format({"bold": True, "border": 1, "num_format": "0"}),
            "total_percent": book.add_format({"bold": True, "border": 1, "num_format": "0.00"}),
            "date": book.add_format({"border": 1, "num_format": "dd.mm.yyyy", "valign": "top"}),
        }
        period = " – ".join(format_date(self.env, figures[key]) for key in ("date_from", "date_to"))
        self._xlsx_summary(
            book.add_worksheet(self.env._("Follow up PS")[:31]), style, figures, period
        )
        self._xlsx_comments(book.add_worksheet(self.env._("Comments")[:31]), style, figures, period)
        book.close()
        return output.getvalue()

    def _xlsx_summary(self, sheet, style, figures, period):
        sheet.set_column(0, 0, 8)
        sheet.set_column(1, 1, 60)
        sheet.set_column(2, 4, 16)
        sheet.write(0, 0, self.env._("Follow up PS"), style["title"])
        sheet.write(1, 0, self.env._("Post-service survey of clients"), style["bold"])
        row = 3
        for label, value in (
            (self.env._("Period"), period),
            (self.env._("Branches"), figures["branches"]),
            (self.env._("Surveys"), figures["surveys"]),
            (self.env._("Complaints counted"), figures["complaint_source"]),
        ):
            sheet.write(row, 0, label, style["bold"])
            sheet.write(row, 2, value)
            row += 1
        row += 1
        for label, value, kind in (
            (self.env._("Documents in the period"), figures["documents"], "number"),
            (self.env._("To be surveyed in the period"), figures["to_survey"], "number"),
            (self.env._("Surveyed"), figures["surveyed"], "number"),
            (self.env._("Share surveyed, %"), figures["surveyed_share"], "percent"),
        ):
            sheet.write(row, 0, label, style["cell"])
            sheet.write(row, 1, "", style["cell"])
            sheet.write_number(row, 2, value, style[kind])
            row += 1
        row += 1
        sheet.write(row, 0, self.env._("Client comments"), style["bold"])
        sheet.write(row, 2, self.env._("Count"), style["head"])
        sheet.write(row, 3, self.env._("Share, %"), style["head"])
        row += 1
        for label, count, part in (
            (self.env._("positive"), figures["positive"], figures["positive_share"]),
            (self.env._("negative"), figures["negative"], figures["negative_share"]),
        ):
            sheet.write(row, 0, label, style["cell"])
            sheet.write(row, 1, "", style["cell"])
            sheet.write_number(row, 2, count, style["number"])
            sheet.write_number(row, 3, part, style["percent"])
            row += 1
        row += 1
        sheet.write(row, 0, self.env._("Complaints by category"), style["bold"])
        row += 1
        labels = (
            self.env._("Code"),
            self.env._("Category"),
            self.env._("Complaints"),
            self.env._("% of surveyed"),
            self.env._("% of complaints"),
        )
        for col, label in enumerate(labels):
            sheet.write(row, col, label, style["head"])
        row += 1
        for line in figures["categories"]:
            sheet.write(row, 0, line["code"], style["cell"])
            sheet.write(row, 1, line["name"], style["cell"])
            sheet.write_number(row, 2, line["count"], style["number"])
            sheet.write_number(row, 3, line["share_surveyed"], style["percent"])
            sheet.write_number(row, 4, line["share_complaints"], style["percent"])
            row += 1
        sheet.write(row, 0, "", style["total"])
        sheet.write(row, 1, self.env._("Total"), style["total"])
        sheet.write_number(row, 2, figures["complaints"], style["total"])
        sheet.write_number(row, 3, figures["complaints_share"], style["total_percent"])
        sheet.write_number(row, 4, 100.0 if figures["complaints"] else 0.0, style["total_percent"])

    def _xlsx_comments(self, sheet, style, figures, period):
        for col, width in enumerate((12, 36, 18, 18, 28, 80, 10)):
            sheet.set_column(col, col, width)
        sheet.write(0, 0, self.env._("Post-service survey of clients (comments)"), style["title"])
        sheet.write(1, 0, self.env._("Period"), style["bold"])
        sheet.write(1, 1, period)
        labels = (
            self.env._("Date"),
            self.env._("Client"),
            self.env._("City"),
            self.env._("Vehicle Model"),
            self.env._("Service Task"),
            self.env._("Comment"),
            self.env._("Negative"),
        )
        for col, label in enumerate(labels):
            sheet.write(3, col, label, style["head"])
        sheet.freeze_panes(4, 0)
        comments = figures["comments"]
        for row, line in enumerate(comments, start=4):
            sheet.write_datetime(row, 0, datetime.combine(line["date"], time.min), style["date"])
            for col, key in enumerate(("client", "city", "model", "task", "comment"), start=1):
                sheet.write(row, col, line[key] or "", style["wrap"])
            sheet.write(row, 6, self.env._("Yes") if line["negative"] else "", style["wrap"])
        if comments:
            sheet.autofilter(3, 0, 3 + len(comments), len(labels) - 1)
