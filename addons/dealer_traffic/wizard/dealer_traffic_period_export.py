import base64
from operator import itemgetter

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date

from ..report.dealer_traffic_report_mixin import period_domain
from .dealer_traffic_period_export_xlsx import DATETIME, DURATION, GROUP, HEADER, TITLE, XlsxSheet

# Excel's last row, less the title and the two header rows.
MAX_ROWS = 1_048_576 - 4
SECONDS_PER_DAY = 86400
# The sheet's first rows: the title, then (after a blank one) the column groups and the
# column headers.
TITLE_ROW, GROUP_ROW, HEADER_ROW = 0, 2, 3


class DealerTrafficPeriodExport(models.TransientModel):
    """«Данные за период» (seed 000): every contact of a period as an Excel workbook
    with the columns supervisors use — the vehicle of interest, who handled it, how long
    registering, taking and processing took, what came of it (the document, its status
    and date, the ignore reason or the reason of loss) and comments; and the printed
    summaries of the same period."""

    _name = "dealer.traffic.period.export"
    _description = "Data for the Period"

    date_from = fields.Date(
        string="From", required=True, default=lambda self: self._default_date_from()
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    direction_ids = fields.Many2many(
        "dealer.direction", string="Directions", help="All directions when empty."
    )
    grouping = fields.Selection(
        [
            ("direction", "By Direction"),
            ("source", "By Information Source"),
            ("registrar", "By Registrar"),
            ("responsible", "By Responsible"),
            ("model", "By Model"),
            ("day", "By Day"),
        ],
        string="Printed Summary",
        required=True,
        default="direction",
    )
    xlsx_file = fields.Binary(string="Workbook", readonly=True, attachment=True)
    xlsx_filename = fields.Char(readonly=True)

    @api.model
    def _default_date_from(self):
        return fields.Date.context_today(self).replace(day=1)

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for export in self:
            if export.date_from > export.date_to:
                raise ValidationError(self.env._("The period must start before it ends."))

    def _domain(self):
        self.ensure_one()
        return period_domain(self.env, self.date_from, self.date_to, self.direction_ids.ids)

    # --- the printed summaries -----------------------------------------------------
    def action_print(self):
        self.ensure_one()
        report = self.env.ref(f"dealer_traffic.action_report_traffic_by_{self.grouping}")
        # The summaries use the internal layout: no document layout to configure first.
        return report.report_action(
            None,
            data={
                "date_from": fields.Date.to_string(self.date_from),
                "date_to": fields.Date.to_string(self.date_to),
                "direction_ids": self.direction_ids.ids,
            },
            config=False,
        )

    # --- the workbook --------------------------------------------------------------
    def action_export_xlsx(self):
        """Download the period's contacts as an Excel workbook."""
        self.ensure_one()
        self.write(
            {
                "xlsx_file": base64.b64encode(self._xlsx_content()),
                "xlsx_filename": self.env._(
                    "Traffic %(start)s - %(end)s.xlsx",
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

    def _columns(self):
        """[(group, header, kind)] of the workbook, kind: text, datetime, duration (in
        days), id."""
        contact, vehicle, outcome = (
            self.env._("Contact"),
            self.env._("Vehicle of Interest"),
            self.env._("Contact Outcome"),
        )
        timing, further = self.env._("Processing Time"), self.env._("Further Processing")
        return [
            (contact, self.env._("Number"), "text"),
            (contact, self.env._("Date"), "datetime"),
            (contact, self.env._("Branch"), "text"),
            (contact, self.env._("Channel"), "text"),
            (contact, self.env._("Direction"), "text"),
            (contact, self.env._("Contact Goal"), "text"),
            (contact, self.env._("Information Source"), "text"),
            (contact, self.env._("Client"), "text"),
            (contact, self.env._("Phone"), "text"),
            (contact, self.env._("First / Repeat"), "text"),
            (vehicle, self.env._("Brand"), "text"),
            (vehicle, self.env._("Model"), "text"),
            (vehicle, self.env._("New or Used"), "text"),
            (outcome, self.env._("Registered By"), "text"),
            (outcome, self.env._("Responsible"), "text"),
            (timing, self.env._("Registration"), "duration"),
            (timing, self.env._("Taking"), "duration"),
            (timing, self.env._("Processing"), "duration"),
            (further, self.env._("Status"), "text"),
            (further, self.env._("Document No."), "id"),
            (further, self.env._("Document"), "text"),
            (further, self.env._("Status Changed"), "datetime"),
            (further, self.env._("Ignore Reason"), "text"),
            (further, self.env._("Reason of Loss"), "text"),
            (further, self.env._("Comment"), "text"),
            (further, self.env._("Note"), "text"),
        ]

    def _rows_query(self):
        """One statement reading the period's contacts the user may read (the record
        rules apply through ``_search``) with their client and latest task (the
        journal's document); the names of the small tables they refer to are read
        apart (``_names``). The contacts are picked first, so that only theirs are
        joined and their tasks looked up."""
        self.ensure_one()
        traffic_ids = self.env["dealer.traffic"]._search(self._domain()).subselect()
        tz = self.env.context.get("tz") or self.env.user.tz or "UTC"

        def local(column):
            return SQL("(%s AT TIME ZONE 'UTC' AT TIME ZONE %s)", column, tz)

        def seconds(column):
            return SQL("date_part('epoch', %s - t.date)", column)

        return SQL(
            """
            WITH picked AS MATERIALIZED (%(traffic_ids)s)
            SELECT t.date, t.id, t.name, %(date)s, t.company_id, t.channel_id,
                   t.direction_id, t.goal_id, t.source_id,
                   COALESCE(client.name, t.contact_name),
                   COALESCE(t.contact_phone, client.mobile, client.phone),
                   COALESCE(t.is_repeat, FALSE) AND t.taken_date IS NOT NULL,
                   t.interest_brand_id, t.interest_model_id, t.interest_condition,
                   t.registrar_id, t.user_id,
                   %(registration)s, %(taking)s, %(processing)s,
                   t.state, COALESCE(t.is_finished, FALSE), task.id, task.name,
                   task.create_date < t.date, task.state, task.stage_id,
                   %(changed)s, t.ignore_reason_id, COALESCE(t.ignore_comment, t.outcome),
                   t.note
              FROM picked
              JOIN dealer_traffic t ON t.id = picked.id
              LEFT JOIN res_partner client ON client.id = t.partner_id
              LEFT JOIN LATERAL (
                    SELECT id, name, create_date, state, stage_id
                      FROM project_task
                     WHERE traffic_id = t.id AND active
                     ORDER BY id DESC
                     LIMIT 1
              ) task ON TRUE
            """,
            traffic_ids=traffic_ids,
            date=local(SQL("t.date")),
            registration=seconds(SQL("COALESCE(t.queued_date, t.assigned_date)")),
            taking=seconds(SQL("t.taken_date")),
            processing=seconds(SQL("t.processed_date")),
            changed=local(
                SQL(
                    "CASE WHEN t.state IN ('processed', 'ignored') THEN t.processed_date "
                    "ELSE GREATEST(t.date, t.queued_date, t.assigned_date, t.taken_date) END"
                )
            ),
        )

    def _names(self, model, ids):
        """{id: name} of the ``model`` records ``ids``, in the user's language."""
        records = self.env[model].browse(sorted(set(ids) - {None}))
        return {record.id: record.name for record in records}

    def _rows(self):
        """The workbook's rows, as the values of ``_columns``, in date order."""
        env = self.env
        env.flush_all()
        # The plan is a few index lookups per contact, which the database's JIT
        # compiler would take seconds to compile for a month of contacts.
        env.cr.execute(SQL("SET LOCAL jit = off"))
        env.cr.execute(self._rows_query())
        # Sorted here rather than by sorting the wide rows in SQL.
        fetched = sorted(env.cr.fetchall(), key=itemgetter(0, 1))
        env.cr.execute(SQL("SET LOCAL jit TO DEFAULT"))
        columns = list(zip(*fetched, strict=True)) or [()] * 31
        names = {
            index: self._names(model, columns[index])
            for index, model in (
                (4, "res.company"),
                (5, "dealer.traffic.channel"),
                (6, "dealer.direction"),
                (7, "dealer.contact.goal"),
                (8, "utm.source"),
                (12, "fleet.vehicle.model.brand"),
                (13, "fleet.vehicle.model"),
                (15, "res.users"),
                (16, "res.users"),
                (26, "project.task.type"),
                (28, "dealer.ignore.reason"),
            )
        }
        traffic_fields = env["dealer.traffic"]._fields
        states = dict(traffic_fields["state"]._description_selection(env))
        conditions = dict(traffic_fields["interest_condition"]._description_selection(env))
        order = {False: env._("First"), True: env._("Repeat")}
        created, attached, finished = (
            env._("Document created"),
            env._("Attached to document"),
            env._("Closed on the spot"),
        )
        rows = []
        for row in fetched:
            named = [
                names[index].get(value) if index in names else value
                for index, value in enumerate(row)
            ]
            (number, date, company, channel, direction, goal, source, client, phone) = named[2:11]
            (repeat, brand, model, condition, registrar, responsible) = named[11:17]
            (registration, taking, processing, state, is_finished) = named[17:22]
            (task_id, task_name, task_older, task_state, stage, changed) = named[22:28]
            (reason, comment, note) = named[28:]
            if state == "processed" and task_id:
                status = attached if task_older else created
            elif state == "processed" and is_finished:
                status = finished
            else:
                status = states.get(state, state)
            loss = None
            if task_state == "1_canceled":
                loss = env._("Document canceled at %(stage)s", stage=stage or "—")
            rows.append(
                (
                    *(number, date, company, channel, direction, goal, source, client, phone),
                    order[bool(repeat)],
                    *(brand, model, conditions.get(condition), registrar, responsible),
                    *(
                        seconds / SECONDS_PER_DAY if seconds is not None else None
                        for seconds in (registration, taking, processing)
                    ),
                    *(status, task_id, task_name, changed, reason, loss, comment, note),
                )
            )
        return rows

    def _xlsx_content(self):
        """The workbook as .xlsx bytes: a title, two header rows (groups of columns
        as in the seed, then the columns), a row per contact; dates are dates and
        durations are times, so that Excel can sort and sum them."""
        self.ensure_one()
        rows = self._rows()
        if len(rows) > MAX_ROWS:
            raise UserError(
                self.env._(
                    "%(count)s contacts do not fit in one Excel sheet: choose a shorter period.",
                    count=len(rows),
                )
            )
        columns = self._columns()
        widths = {"datetime": 16, "duration": 10, "id": 10}
        sheet = XlsxSheet(
            self.env._("Data for the Period"),
            [widths.get(kind, max(12, min(len(header) + 2, 30))) for _g, header, kind in columns],
        )
        start, end = (format_date(self.env, day) for day in (self.date_from, self.date_to))
        title = self.env._("Data for the Period: %(start)s – %(end)s", start=start, end=end)
        sheet.append(TITLE_ROW, [(title, TITLE)])
        sheet.append(GROUP_ROW, [(group, GROUP) for group, _header, _kind in columns])
        first = 0
        for index in range(1, len(columns) + 1):
            if index == len(columns) or columns[index][0] != columns[first][0]:
                if index - 1 > first:
                    sheet.merge(GROUP_ROW, first, index - 1)
                first = index
        sheet.append(HEADER_ROW, [(header, HEADER) for _group, header, _kind in columns])
        sheet.freeze_panes(HEADER_ROW + 1, 2)
        styles = [
            {"datetime": DATETIME, "duration": DURATION}.get(kind, 0)
            for _group, _header, kind in columns
        ]
        for number, row in enumerate(rows, start=HEADER_ROW + 1):
            sheet.append(number, list(zip(row, styles, strict=True)))
        sheet.autofilter(HEADER_ROW, HEADER_ROW + len(rows))
        return sheet.content()
