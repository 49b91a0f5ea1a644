from odoo import api, models
from odoo.tools import format_date

from .dealer_traffic_report_mixin import period_domain

# What each printed summary groups the traffic by (seed 000 «Формы печатных документов»).
GROUPINGS = {
    "direction": "direction_id",
    "source": "source_id",
    "registrar": "registrar_id",
    "responsible": "user_id",
    "model": "interest_model_id",
    "day": "date:day",
}
STATISTICS = (
    "traffic_count",
    "first_count",
    "repeat_count",
    "processed_count",
    "ignored_count",
    "open_count",
    "not_taken_count",
)
FUNNEL = ("appointment_count", "visit_count")


class DealerTrafficSummary(models.AbstractModel):
    """A printed summary of the traffic grouped by one dimension (``_grouping``, a key
    of GROUPINGS): per group the contacts, first and repeat, by status, appointments
    and visits with their rates, and the time to take (average and median). Of the
    contacts selected in the journal, or of a period (``data``: date_from, date_to and
    optionally direction_ids, as the «Data for the Period» dialog sends them)."""

    _name = "dealer.traffic.summary"
    _description = "Traffic Summary"
    _grouping = None

    @api.model
    def _summary_domain(self, docids, data):
        data = data or {}
        if data.get("date_from") and data.get("date_to"):
            return period_domain(
                self.env, data["date_from"], data["date_to"], data.get("direction_ids")
            )
        return [("id", "in", list(docids or []))]

    @api.model
    def _summary_title(self):
        titles = {
            "direction": self.env._("Traffic by Direction"),
            "source": self.env._("Traffic by Information Source"),
            "registrar": self.env._("Traffic by Registrar"),
            "responsible": self.env._("Traffic by Responsible"),
            "model": self.env._("Traffic by Model"),
            "day": self.env._("Traffic by Day"),
        }
        return titles[self._grouping]

    @api.model
    def _summary_label(self, key):
        if not key:
            return self.env._("Not set")
        if self._grouping == "day":
            return format_date(self.env, key)
        return key.display_name

    @api.model
    def _summary_rows(self, domain):
        """({group key: row}, total row); a row maps the measures to their values."""
        groupby = [GROUPINGS[self._grouping]] if self._grouping else []
        reports = (
            ("dealer.traffic.statistics.report", [f"{name}:sum" for name in STATISTICS]),
            ("dealer.traffic.funnel.report", [f"{name}:sum" for name in FUNNEL]),
            (
                "dealer.traffic.response.report",
                ["take_minutes:avg", "take_minutes_median:median"],
            ),
        )
        names = (*STATISTICS, *FUNNEL, "take_minutes", "take_minutes_median")
        rows, total = {}, {}
        for grouped in (groupby, []):
            for model, aggregates in reports:
                keys = [name.split(":")[0] for name in aggregates]
                for values in self.env[model]._read_group(domain, grouped, aggregates):
                    row = rows.setdefault(values[0], {}) if grouped else total
                    row.update(zip(keys, values[len(grouped) :], strict=True))
        for row in (*rows.values(), total):
            for name in names:
                row[name] = row.get(name) or 0
            contacts = row["traffic_count"]
            row["appointment_rate"] = 100 * row["appointment_count"] / contacts if contacts else 0
            row["visit_rate"] = 100 * row["visit_count"] / contacts if contacts else 0
        return rows, total

    @api.model
    def _get_report_values(self, docids, data=None):
        domain = self._summary_domain(docids, data)
        rows, total = self._summary_rows(domain)
        lines = [{"label": self._summary_label(key), **row} for key, row in rows.items()]
        period = ""
        if data and data.get("date_from") and data.get("date_to"):
            start, end = (format_date(self.env, data[key]) for key in ("date_from", "date_to"))
            period = f"{start} – {end}"
        return {
            "doc_ids": docids,
            "doc_model": "dealer.traffic",
            "docs": self.env["dealer.traffic"].browse(docids or []),
            "title": self._summary_title(),
            "period": period,
            "lines": lines,
            "total": total,
            "company": self.env.company,
        }


class ReportTrafficByDirection(models.AbstractModel):
    _name = "report.dealer_traffic.report_traffic_by_direction"
    _inherit = "dealer.traffic.summary"
    _description = "Traffic by Direction"
    _grouping = "direction"


class ReportTrafficBySource(models.AbstractModel):
    _name = "report.dealer_traffic.report_traffic_by_source"
    _inherit = "dealer.traffic.summary"
    _description = "Traffic by Information Source"
    _grouping = "source"


class ReportTrafficByRegistrar(models.AbstractModel):
    _name = "report.dealer_traffic.report_traffic_by_registrar"
    _inherit = "dealer.traffic.summary"
    _description = "Traffic by Registrar"
    _grouping = "registrar"


class ReportTrafficByResponsible(models.AbstractModel):
    _name = "report.dealer_traffic.report_traffic_by_responsible"
    _inherit = "dealer.traffic.summary"
    _description = "Traffic by Responsible"
    _grouping = "responsible"


class ReportTrafficByModel(models.AbstractModel):
    _name = "report.dealer_traffic.report_traffic_by_model"
    _inherit = "dealer.traffic.summary"
    _description = "Traffic by Model"
    _grouping = "model"


class ReportTrafficByDay(models.AbstractModel):
    _name = "report.dealer_traffic.report_traffic_by_day"
    _inherit = "dealer.traffic.summary"
    _description = "Traffic by Day"
    _grouping = "day"
