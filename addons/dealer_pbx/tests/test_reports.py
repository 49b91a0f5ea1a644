"""Call statistics (seed 001, «Статистика по звонкам») on a small known set of calls
stored through the real ingestion: PBX against registered traffic by line and
extension, missed and lost calls with their waiting times, calls by employee and
hour of the day in the branch's time zone."""

from datetime import timedelta

from odoo.tests import new_test_user

from ..adapters import PbxEvent
from .common import CLIENT_NUMBER, PbxCase, utc

LINE_SERVICE = "+74957554410"
LINE_SALES = "+74957554411"
DAY = utc(2024, 12, 9)
# The branch is in Yekaterinburg (UTC+5), the PBX account in Moscow (UTC+3).
BRANCH_TZ, PBX_TZ = "Asia/Yekaterinburg", "Europe/Moscow"


def incoming(key, line, at, *, caller, extension=None, answer_after=None, end_after=60):
    """An incoming call to ``line`` at ``at``: rung on ``extension`` and answered
    after ``answer_after`` seconds, or missed (ended after ``end_after``)."""
    events = [PbxEvent("ringing", key, direction="incoming", caller=caller, line=line, time=at)]
    if extension:
        events.append(
            PbxEvent(
                "ringing", key, leg=extension, extension=extension, time=at + timedelta(seconds=1)
            )
        )
    if answer_after is not None:
        events += [
            PbxEvent(
                "answered",
                key,
                leg=extension,
                extension=extension,
                time=at + timedelta(seconds=answer_after),
            ),
            PbxEvent("ended", key, disposition="answered", time=at + timedelta(seconds=end_after)),
        ]
    else:
        events.append(
            PbxEvent("ended", key, disposition="no_answer", time=at + timedelta(seconds=end_after))
        )
    return events


class TestReports(PbxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pbx_g = cls.pbx["generic"]
        cls.pbx_g.timezone = PBX_TZ
        cls.pbx_g.company_id.partner_id.tz = BRANCH_TZ
        cls.line_service = cls.pbx_g.line_ids
        cls.line_sales = cls.env["dealer.pbx.line"].create(
            {
                "pbx_id": cls.pbx_g.id,
                "number": "8 495 755-44-11",
                "name": "Продажи",
                "direction_id": cls.sales.id,
                "user_id": cls.supervisor.id,
            }
        )
        calls = [
            # Service line: three answered calls, two missed ones.
            incoming(
                "a1",
                LINE_SERVICE,
                DAY.replace(hour=6, minute=15),
                caller=CLIENT_NUMBER,
                extension="101",
                answer_after=14,
                end_after=94,
            ),
            incoming(
                "a2",
                LINE_SERVICE,
                DAY.replace(hour=6, minute=40),
                caller="+79160000002",
                extension="102",
                answer_after=5,
            ),
            incoming(
                "a3",
                LINE_SERVICE,
                DAY.replace(hour=7, minute=5),
                caller="+79160000003",
                extension="101",
                answer_after=9,
            ),
            incoming(
                "m1",
                LINE_SERVICE,
                DAY.replace(hour=7, minute=30),
                caller="+79160000011",
                end_after=41,
            ),
            # 19:10 UTC is 00:10 of the next day in Yekaterinburg.
            incoming(
                "m2",
                LINE_SERVICE,
                DAY.replace(hour=19, minute=10),
                caller="+79160000012",
                end_after=20,
            ),
            # Sales line: one answered (registered), one missed.
            incoming(
                "b1",
                LINE_SALES,
                DAY.replace(hour=8),
                caller=CLIENT_NUMBER,
                extension="102",
                answer_after=7,
            ),
            incoming(
                "m3",
                LINE_SALES,
                DAY.replace(hour=8, minute=30),
                caller="+79160000013",
                end_after=90,
            ),
        ]
        # The callback of m2: an answered outgoing call to its number from 102.
        back = DAY.replace(hour=19, minute=30)
        callback = [
            PbxEvent(
                "ringing",
                "o1",
                direction="outgoing",
                caller="102",
                called="+79160000012",
                line=LINE_SERVICE,
                extension="102",
                time=back,
            ),
            PbxEvent("answered", "o1", leg="x", extension="102", time=back + timedelta(seconds=6)),
            PbxEvent("ended", "o1", disposition="answered", time=back + timedelta(seconds=66)),
        ]
        for events in [*calls, callback]:
            # Out of order and twice: the figures must not change.
            cls.pbx_g._dealer_ingest(list(reversed(events)))
            cls.pbx_g._dealer_ingest(events)
        # The operator registers a1 and b1 from their calls.
        goals = {
            "a1": cls.env.ref("dealer_traffic.goal_service_repair"),
            "b1": cls.env.ref("dealer_traffic.goal_sales_credit"),
        }
        for key, goal in goals.items():
            call = cls._call(key)
            context = call.with_user(cls.operator).action_register_traffic()["context"]
            cls.env["dealer.traffic"].with_user(cls.operator).with_context(**context).create(
                {"goal_id": goal.id}
            )

    @classmethod
    def _call(cls, key):
        return cls.env["dealer.pbx.call"].search(
            [("pbx_id", "=", cls.pbx_g.id), ("external_id", "=", key)]
        )

    def report(self, user=None):
        self.env.flush_all()
        report = self.env["dealer.pbx.call.report"]
        return report.with_user(user) if user else report

    def groups(self, groupby, measures, domain=(), user=None):
        """{group key: {measure: value}} of the known calls, as the pivot asks them."""
        domain = [("pbx_id", "=", self.pbx_g.id), *domain]
        rows = self.report(user).read_group(domain, measures, [groupby], lazy=False)
        result = {}
        for row in rows:
            key = row[groupby.split(":")[0]] if ":" not in groupby else row[groupby]
            if isinstance(key, tuple):
                key = key[0]
            result[key] = {
                measure.split(":")[0]: row[measure.split(":")[0]] for measure in measures
            }
        return result

    def test_known_calls_assembled(self):
        self.assertEqual(
            {key: self._call(key).state for key in ("a1", "a2", "m1", "m2", "m3", "o1")},
            {
                "a1": "done",
                "a2": "done",
                "m1": "missed",
                "m2": "missed",
                "m3": "missed",
                "o1": "done",
            },
        )
        self.assertEqual(self._call("m2").callback_state, "done", "called back by o1")
        self.assertEqual(self._call("m1").callback_state, "pending")
        self.assertTrue(self._call("a1").traffic_id)
        self.assertEqual(
            self.report().search_count([("pbx_id", "=", self.pbx_g.id)]), 8, "one row per call"
        )

    def test_calls_against_traffic_by_line_and_extension(self):
        measures = ["call_count", "registered_count", "unregistered_count", "registered_rate"]
        answered = [("direction", "=", "incoming"), ("is_answered", "=", True)]
        by_line = self.groups("line_id", measures, answered, user=self.supervisor)
        self.assertEqual(
            {line: tuple(values.values())[:3] for line, values in by_line.items()},
            {self.line_service.id: (3, 1, 2), self.line_sales.id: (1, 1, 0)},
        )
        self.assertAlmostEqual(by_line[self.line_service.id]["registered_rate"], 100 / 3)
        self.assertAlmostEqual(by_line[self.line_sales.id]["registered_rate"], 100.0)
        # The seed's layout: line / extension / registered or not.
        domain = [*answered, ("line_id", "=", self.line_service.id)]
        by_extension = self.groups("extension", measures, domain)
        self.assertEqual(
            {ext: tuple(values.values())[:3] for ext, values in by_extension.items()},
            {"101": (2, 1, 1), "102": (1, 0, 1)},
        )
        # The unregistered calls, listed.
        unregistered = self.report(self.supervisor).search(
            [("pbx_id", "=", self.pbx_g.id), *answered, ("is_registered", "=", False)]
        )
        self.assertEqual(sorted(unregistered.call_id.mapped("external_id")), ["a2", "a3"])
        action = unregistered.sorted("date")[0].with_user(self.operator).action_register_traffic()
        self.assertEqual(action["context"]["default_pbx_call_id"], self._call("a2").id)
        self.assertEqual(unregistered[0].action_open_call()["res_id"], unregistered[0].call_id.id)
        # The drill-down on the calls themselves: the call list's «Not Registered».
        drill = self.env.ref("dealer_pbx.dealer_pbx_call_action_unregistered")
        self.assertIn("search_default_no_traffic", drill.context)

    def test_missed_calls_waiting_and_lost_share(self):
        measures = [
            "call_count",
            "missed_count",
            "lost_count",
            "missed_rate",
            "lost_rate",
            "missed_wait_seconds:avg",
            "missed_wait_median:avg",
            "missed_wait_max:max",
        ]
        incoming_only = [("direction", "=", "incoming")]
        by_direction = self.groups("direction_id", measures, incoming_only, user=self.supervisor)
        service, sales = by_direction[self.service.id], by_direction[self.sales.id]
        self.assertEqual(
            (service["call_count"], service["missed_count"], service["lost_count"]), (5, 2, 1)
        )
        self.assertAlmostEqual(service["missed_rate"], 40.0)
        self.assertAlmostEqual(service["lost_rate"], 20.0, msg="m2 was called back")
        self.assertAlmostEqual(service["missed_wait_seconds"], 30.5)
        self.assertAlmostEqual(service["missed_wait_median"], 30.5)
        self.assertEqual(service["missed_wait_max"], 41)
        self.assertEqual(
            (sales["call_count"], sales["missed_count"], sales["lost_count"]), (2, 1, 1)
        )
        self.assertAlmostEqual(sales["lost_rate"], 50.0)
        self.assertAlmostEqual(sales["missed_wait_median"], 90.0)
        # All lines together: waits 20, 41 and 90 s: the median is not the average.
        (total,) = self.groups("pbx_id", measures, incoming_only).values()
        self.assertEqual((total["missed_count"], total["lost_count"]), (3, 2))
        self.assertAlmostEqual(total["missed_wait_seconds"], 151 / 3)
        self.assertAlmostEqual(total["missed_wait_median"], 41.0)
        self.assertEqual(total["missed_wait_max"], 90)
        self.assertAlmostEqual(total["lost_rate"], 200 / 7)
        # By line: the same figures as by direction here (one line per direction).
        by_line = self.groups("line_id", ["lost_count", "missed_count"], incoming_only)
        self.assertEqual(by_line[self.line_sales.id], {"lost_count": 1, "missed_count": 1})
        # By day, in the branch's time: m2 (19:10 UTC) is a call of the 10th.
        by_day = self.groups("local_date:day", ["missed_count", "lost_count"], incoming_only)
        self.assertEqual(
            sorted(by_day.values(), key=lambda v: -v["missed_count"]),
            [{"missed_count": 2, "lost_count": 2}, {"missed_count": 1, "lost_count": 0}],
        )
        rows = self.report().search_read(
            [("pbx_id", "=", self.pbx_g.id), ("state", "=", "missed")],
            ["local_date", "is_lost", "call_id"],
        )
        days = {row["call_id"][1]: (str(row["local_date"]), row["is_lost"]) for row in rows}
        self.assertEqual(
            sorted(days.values()),
            [("2024-12-09", True), ("2024-12-09", True), ("2024-12-10", False)],
        )
        # The callback came 20 minutes after m2 ended (19:10:20 → 19:30:06).
        (m2,) = self.report().search([("call_id", "=", self._call("m2").id)])
        self.assertAlmostEqual(m2.callback_minutes, (19 * 60 + 46) / 60)

    def test_calls_by_employee_and_hour_in_branch_time(self):
        rows = self.report(self.supervisor).read_group(
            [("pbx_id", "=", self.pbx_g.id)], ["call_count"], ["user_id", "hour"], lazy=False
        )
        table = {
            (row["user_id"] and row["user_id"][0], row["hour"]): row["call_count"] for row in rows
        }
        # 06:15 and 07:05 UTC are 11 and 12 o'clock in Yekaterinburg (UTC+5).
        self.assertEqual(table[(self.consultant.id, "11")], 1)
        self.assertEqual(table[(self.consultant.id, "12")], 1)
        # 102: a2 06:40 → 11, b1 08:00 → 13, o1 19:30 → 00 (the next day).
        self.assertEqual(
            {hour: count for (user, hour), count in table.items() if user == self.consultant2.id},
            {"11": 1, "13": 1, "00": 1},
        )
        # A branch without a time zone: the PBX account's (Moscow, UTC+3).
        self.pbx_g.company_id.partner_id.tz = False
        hours = {
            row["call_id"][1]: row["hour"]
            for row in self.report().search_read(
                [("pbx_id", "=", self.pbx_g.id), ("user_id", "=", self.consultant.id)],
                ["hour", "call_id"],
            )
        }
        self.assertEqual(sorted(hours.values()), ["09", "10"])

    def test_branch_rules(self):
        branch = self.env["res.company"].create({"name": "Филиал Отчёт"})
        other = self.env["dealer.pbx"].create(
            {
                "name": "Other",
                "provider": "generic",
                "company_id": branch.id,
                "api_secret": "y" * 20,
            }
        )
        other._dealer_ingest(incoming("x1", LINE_SERVICE, DAY, caller="+79160000099"))
        outsider = new_test_user(
            self.env,
            "pbx_branch_operator",
            groups="dealer_base.group_dealer_operator",
            company_id=branch.id,
            company_ids=[(6, 0, branch.ids)],
        )
        mine = self.report(self.operator).search([])
        self.assertIn(self._call("a1"), mine.call_id)
        self.assertNotIn(other, mine.pbx_id)
        theirs = self.report(outsider).search([])
        self.assertEqual(theirs.pbx_id, other)
        self.assertEqual(theirs.call_id.external_id, "x1")
