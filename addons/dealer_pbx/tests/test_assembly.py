"""Calls assembled from stored events: once per call, whatever the order and the
duplicates; per provider; missed calls, callbacks, popup, traffic link."""

import itertools
import json
import time
from datetime import timedelta
from unittest.mock import patch

import psycopg2

import odoo
from odoo.exceptions import UserError

from ..adapters import AsteriskAdapter, MangoAdapter, PbxEvent, ZadarmaAdapter
from .common import CLIENT_NUMBER, MANGO_KEY, MANGO_SALT, ZADARMA_SECRET, PbxCase, utc
from .test_adapters import mango_form, zadarma_header

T0 = utc(2024, 12, 7, 7, 15)
COMPARED = (
    "state",
    "direction",
    "caller_number",
    "called_number",
    "line",
    "user_id",
    "partner_id",
    "date_start",
    "date_answer",
    "date_end",
    "wait_seconds",
    "talk_seconds",
    "disposition",
    "direction_id",
    "source_id",
)


def generic_call(key, answered=True, caller="8 916 811-22-33"):
    events = [
        PbxEvent(
            "ringing",
            key,
            direction="incoming",
            caller=caller,
            called="74957554410",
            line="74957554410",
            time=T0,
        ),
        PbxEvent("ringing", key, leg="101", extension="101", time=T0 + timedelta(seconds=2)),
        PbxEvent("ringing", key, leg="102", extension="102", time=T0 + timedelta(seconds=3)),
    ]
    if answered:
        events += [
            PbxEvent("answered", key, leg="101", extension="101", time=T0 + timedelta(seconds=14)),
            PbxEvent("ended", key, disposition="answered", time=T0 + timedelta(seconds=94)),
        ]
    else:
        events.append(
            PbxEvent("ended", key, disposition="no_answer", time=T0 + timedelta(seconds=41))
        )
    return events


class TestAssembly(PbxCase):
    def values(self, call):
        return {name: call[name] for name in COMPARED}

    def test_generic_incoming_answered(self):
        result = self.ingest("generic", generic_call("g1"))
        self.assertEqual((result["stored"], result["duplicates"]), (5, 0))
        call = self.call("generic", "g1")
        self.assertEqual(len(call), 1)
        self.assertEqual(call.state, "done")
        self.assertEqual((call.caller_number, call.called_number), (CLIENT_NUMBER, "+74957554410"))
        self.assertEqual(call.partner_id, self.client, "found by find_by_phone in E.164")
        self.assertEqual(call.user_id, self.consultant, "the extension that answered")
        self.assertEqual((call.wait_seconds, call.talk_seconds), (14, 80))
        self.assertEqual((call.direction_id, call.source_id), (self.service, self.source))
        self.assertEqual(call.line_id, self.pbx["generic"].line_ids)
        self.assertEqual(len(call.event_ids), 5)
        self.assertFalse(call.callback_state)

    def test_duplicates_change_nothing(self):
        self.ingest("generic", generic_call("g2"))
        call = self.call("generic", "g2")
        before = self.values(call)
        result = self.ingest("generic", generic_call("g2") + generic_call("g2")[:2])
        self.assertEqual((result["stored"], result["duplicates"]), (0, 7))
        self.assertFalse(result["calls"], "no call recomputed for duplicates only")
        self.assertEqual(self.call("generic", "g2"), call)
        self.assertEqual(self.values(call), before)
        self.assertEqual(self.env["dealer.pbx.event"].search_count([("call_id", "=", call.id)]), 5)

    def test_out_of_order_same_final_call(self):
        reference = None
        orders = list(itertools.permutations(range(5)))[::17]  # a spread of orders
        self.assertGreater(len(orders), 5)
        for number, order in enumerate(orders):
            key = f"ooo-{number}"
            events = generic_call(key)
            for index in order:  # one event per request
                self.ingest("generic", [events[index]])
            values = self.values(self.call("generic", key))
            if reference is None:
                reference = values
            self.assertEqual(values, reference, f"order {order}")
        self.assertEqual(reference["state"], "done")
        ended_first = generic_call("ended-first")
        self.ingest("generic", [ended_first[4]])
        first = self.call("generic", "ended-first")
        self.assertEqual((first.state, first.is_answered), ("done", True), "the end's own word")
        self.ingest("generic", ended_first[:4])
        self.assertEqual(self.values(self.call("generic", "ended-first")), reference)

    def test_ringing_then_talking_states(self):
        events = generic_call("g3")
        self.ingest("generic", events[:3])
        call = self.call("generic", "g3")
        self.assertEqual((call.state, call.user_id), ("ringing", self.consultant2), "last rung")
        self.ingest("generic", [events[3]])
        self.assertEqual((call.state, call.user_id), ("talking", self.consultant))
        self.assertFalse(call.date_end)

    def test_asterisk_call(self):
        linked = "1733555700.100"
        ami = [
            {
                "Event": "Newchannel",
                "Channel": "PJSIP/mts-00000010",
                "Uniqueid": linked,
                "Linkedid": linked,
                "CallerIDNum": "89168112233",
                "Exten": "74957554410",
                "Timestamp": "1733555700",
            },
            {
                "Event": "DialBegin",
                "Channel": "Local/101@q-1;2",
                "Uniqueid": "x",
                "Linkedid": linked,
                "DestChannel": "PJSIP/101-00000011",
                "DestUniqueid": "1733555701.103",
                "DestLinkedid": linked,
                "Timestamp": "1733555701",
            },
            {
                "Event": "BridgeEnter",
                "Channel": "PJSIP/101-00000011",
                "Uniqueid": "1733555701.103",
                "Linkedid": linked,
                "Timestamp": "1733555712",
            },
            {
                "Event": "VarSet",
                "Channel": "PJSIP/mts-00000010",
                "Uniqueid": linked,
                "Linkedid": linked,
                "Variable": "MIXMONITOR_FILENAME",
                "Value": "/var/spool/asterisk/monitor/in-1733555700.100.wav",
                "Timestamp": "1733555712",
            },
            {
                "Event": "Hangup",
                "Channel": "PJSIP/mts-00000010",
                "Uniqueid": linked,
                "Linkedid": linked,
                "Cause": "16",
                "Timestamp": "1733555790",
            },
        ]
        adapter = AsteriskAdapter(api_secret="x", extensions=["101", "102"])
        events = adapter.parse({}, json.dumps({"events": ami}).encode(), {})
        self.ingest("asterisk", events)
        call = self.call("asterisk", linked)
        self.assertEqual(
            (call.state, call.direction, call.caller_number, call.called_number),
            ("done", "incoming", CLIENT_NUMBER, "+74957554410"),
        )
        self.assertEqual(
            (call.user_id, call.wait_seconds, call.talk_seconds), (self.consultant, 12, 78)
        )
        self.assertEqual(call.recording_url, "https://pbx.example/monitor/in-1733555700.100.wav")

    def test_zadarma_missed_then_answered_with_recording(self):
        adapter = ZadarmaAdapter(api_secret=ZADARMA_SECRET, timezone="Europe/Moscow")
        start = {
            "event": "NOTIFY_START",
            "call_start": "2024-12-07 10:15:00",
            "pbx_call_id": "in_zd1",
            "caller_id": "79168112233",
            "called_did": "74957554410",
        }
        forms = [
            start,
            {**start, "event": "NOTIFY_INTERNAL", "internal": "101"},
            {**start, "event": "NOTIFY_INTERNAL", "internal": "102"},
            {**start, "event": "NOTIFY_END", "duration": "0", "disposition": "cancel"},
        ]
        for seconds, form in zip((0, 1, 2, 33), forms, strict=True):
            moment = T0 + timedelta(seconds=seconds)
            self.ingest(
                "zadarma", adapter.parse({}, b"", form, "", moment), moment.replace(tzinfo=None)
            )
        call = self.call("zadarma", "in_zd1")
        self.assertEqual(
            (call.state, call.disposition, call.wait_seconds), ("missed", "no_answer", 33)
        )
        self.assertEqual(call.user_id, self.consultant2, "nobody answered: the last one rung")

        answered = {**start, "pbx_call_id": "in_zd2"}
        answer = {
            "event": "NOTIFY_ANSWER",
            "caller_id": "79168112233",
            "destination": "101",
            "call_start": "2024-12-07 10:15:00",
            "pbx_call_id": "in_zd2",
            "internal": "101",
        }
        end = {
            **answered,
            "event": "NOTIFY_END",
            "internal": "101",
            "duration": "74",
            "disposition": "answered",
            "is_recorded": "1",
            "call_id_with_rec": "1733.77",
        }
        record = {"event": "NOTIFY_RECORD", "pbx_call_id": "in_zd2", "call_id_with_rec": "1733.77"}
        for seconds, form in zip((0, 9, 83, 120), (answered, answer, end, record), strict=True):
            moment = T0 + timedelta(seconds=seconds)
            self.ingest(
                "zadarma", adapter.parse({}, b"", form, "", moment), moment.replace(tzinfo=None)
            )
        call = self.call("zadarma", "in_zd2")
        self.assertEqual((call.state, call.wait_seconds, call.talk_seconds), ("done", 9, 74))
        self.assertEqual(call.user_id, self.consultant)
        self.assertEqual(call.recording_ref, "1733.77")
        self.assertEqual(call.recording_url, f"/dealer_pbx/recording/{call.id}")
        self.assertEqual(zadarma_header("x"), zadarma_header("x"))  # helper shared with HTTP tests

    def test_mango_legs_and_summary(self):
        adapter = MangoAdapter(api_key=MANGO_KEY, api_secret=MANGO_SALT)
        entry = "MjYxOTYyNzcxMTo0Ng=="
        ivr = {
            "entry_id": entry,
            "call_id": "leg-ivr",
            "timestamp": 1733555700,
            "seq": 1,
            "call_state": "Appeared",
            "location": "ivr",
            "from": {"number": "79168112233"},
            "to": {"number": "74957554410", "line_number": "74957554410"},
        }
        agent = {
            **ivr,
            "call_id": "leg-101",
            "seq": 2,
            "location": "abonent",
            "timestamp": 1733555705,
            "to": {"extension": "101", "number": "sip:101@x", "line_number": "74957554410"},
        }
        posts = [
            ("events/call", ivr),
            ("events/call", {**ivr, "seq": 2, "call_state": "Connected", "timestamp": 1733555701}),
            ("events/call", agent),
            (
                "events/call",
                {**agent, "seq": 3, "call_state": "Connected", "timestamp": 1733555716},
            ),
            (
                "events/call",
                {**agent, "seq": 4, "call_state": "Disconnected", "timestamp": 1733555790},
            ),
        ]
        for suffix, document in posts:
            self.ingest("mango", adapter.parse({}, b"", mango_form(document), suffix))
        call = self.call("mango", entry)
        self.assertEqual(
            (call.state, call.user_id), ("talking", self.consultant), "summary decides the end"
        )
        summary = {
            "entry_id": entry,
            "call_direction": 1,
            "from": {"number": "79168112233"},
            "to": {"extension": "101"},
            "line_number": "74957554410",
            "create_time": 1733555700,
            "talk_time": 1733555716,
            "end_time": 1733555790,
            "entry_result": 1,
        }
        self.ingest("mango", adapter.parse({}, b"", mango_form(summary), "events/summary"))
        self.assertEqual((call.state, call.wait_seconds, call.talk_seconds), ("done", 16, 74))
        self.assertEqual(call.partner_id, self.client)
        recording = {"entry_id": entry, "recording_id": "REC-1", "recording_state": "Completed"}
        self.ingest("mango", adapter.parse({}, b"", mango_form(recording), "events/recording"))
        self.assertEqual(call.recording_url, f"/dealer_pbx/recording/{call.id}")

    def test_missed_call_callback_closed_by_outgoing(self):
        self.ingest("generic", generic_call("m1", answered=False))
        call = self.call("generic", "m1")
        self.assertEqual((call.state, call.wait_seconds), ("missed", 41))
        self.assertEqual((call.callback_state, call.callback_user_id), ("pending", self.supervisor))
        activity = call.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.supervisor, "the line's responsible")
        self.assertIn("0:41", activity.note, "the waiting time")
        self.assertFalse(
            self.env["mail.message"].search(
                [("partner_ids", "in", self.supervisor.partner_id.id), ("model", "=", call._name)]
            ),
            "no assignment message per missed call",
        )
        # An unanswered callback attempt closes nothing.
        out = [
            PbxEvent(
                "ringing",
                "o1",
                direction="outgoing",
                caller="102",
                called="+7 916 811 22 33",
                extension="102",
                time=T0 + timedelta(minutes=5),
            ),
            PbxEvent("ended", "o1", disposition="no_answer", time=T0 + timedelta(minutes=6)),
        ]
        self.ingest("generic", out)
        self.assertEqual(call.callback_state, "pending")
        answered_out = [
            PbxEvent(
                "ringing",
                "o2",
                direction="outgoing",
                caller="102",
                called="89168112233",
                extension="102",
                time=T0 + timedelta(minutes=10),
            ),
            PbxEvent(
                "answered",
                "o2",
                leg="x",
                extension="102",
                time=T0 + timedelta(minutes=10, seconds=8),
            ),
            PbxEvent("ended", "o2", disposition="answered", time=T0 + timedelta(minutes=12)),
        ]
        self.ingest("generic", answered_out)
        callback = self.call("generic", "o2")
        self.assertEqual((callback.direction, callback.user_id), ("outgoing", self.consultant2))
        self.assertEqual(call.callback_state, "done")
        self.assertEqual(call.callback_call_id, callback)
        self.assertFalse(call.activity_ids, "the callback task is done")
        pending = [("callback_state", "=", "pending"), ("pbx_id", "=", self.pbx["generic"].id)]
        self.assertFalse(self.env["dealer.pbx.call"].search(pending))

    def test_popup_once_per_call_and_user(self):
        self.env.cr.precommit.clear()
        events = generic_call("p1")
        self.ingest("generic", events[:2])
        (popup,) = self.bus(self.consultant)
        self.assertEqual(
            (popup["phase"], popup["number"], popup["call_id"]),
            ("ringing", CLIENT_NUMBER, self.call("generic", "p1").id),
        )
        self.assertNotIn("partners", popup, "the cards are asked for by the web client")
        self.assertEqual(popup["partner_id"], self.client.id)
        self.ingest("generic", events[:2])  # duplicates
        self.ingest("generic", [events[2]])  # 102 rings too
        self.assertEqual(len(self.bus(self.consultant)), 1, "once per call and user")
        self.assertEqual([p["phase"] for p in self.bus(self.consultant2)], ["ringing"])
        self.ingest("generic", [events[3]])
        self.ingest("generic", [events[4]])
        self.assertEqual(
            [p["phase"] for p in self.bus(self.consultant)], ["ringing", "answered", "ended"]
        )
        self.assertEqual(
            [p["phase"] for p in self.bus(self.consultant2)], ["ringing", "answered", "ended"]
        )
        self.assertEqual(self.bus(self.consultant)[1]["user"]["id"], self.consultant.id)
        self.assertFalse(self.bus(self.operator))

    def test_no_popup_before_the_direction_is_known(self):
        """An outgoing call's answer assembled before its ringing (posted at once) says
        no direction: nobody gets a popup, neither then nor when the ringing comes."""
        self.env.cr.precommit.clear()
        ringing = PbxEvent(
            "ringing",
            "out1",
            direction="outgoing",
            extension="101",
            caller="101",
            called="+79168112233",
            time=T0,
        )
        answered = PbxEvent("answered", "out1", extension="101", time=T0 + timedelta(seconds=5))
        self.ingest("generic", [answered])
        self.assertFalse(self.bus())
        self.ingest("generic", [ringing])
        call = self.call("generic", "out1")
        self.assertEqual((call.direction, call.state), ("outgoing", "talking"))
        self.assertFalse(self.bus())
        self.assertFalse(call.popup_sent)
        # An incoming call whose answer comes first gets its popup with the ringing.
        events = generic_call("in1")
        self.ingest("generic", [events[3]])
        self.assertFalse(self.bus(self.consultant))
        self.ingest("generic", events[:3])
        self.assertEqual([p["phase"] for p in self.bus(self.consultant)], ["answered"])

    def test_popup_wakes_the_websockets_once(self):
        """Once committed, the popups of a ringing call wake the websockets of its
        users with one NOTIFY imbus, from one post-commit hook (on the connection
        the process keeps for it)."""
        self.env.cr.precommit.clear()
        self.env.cr.postcommit.clear()
        self.ingest("generic", generic_call("n1")[:3])
        hooks = list(self.env.cr.postcommit._funcs)
        self.assertEqual(len(hooks), 1)
        channels = self.env.cr.postcommit.data["bus.bus.channels"]
        expected = {
            (self.env.cr.dbname, "res.partner", user.partner_id.id)
            for user in (self.consultant, self.consultant2)
        }
        self.assertEqual(set(channels), expected)
        listener = psycopg2.connect(**odoo.sql_db.connection_info_for("postgres")[1])
        try:
            listener.autocommit = True
            listener.cursor().execute("LISTEN imbus")
            hooks[0]()
            received = set()
            for _attempt in range(50):
                listener.poll()
                received |= {
                    tuple(channel)
                    for notify in listener.notifies
                    for channel in json.loads(notify.payload)
                }
                if expected <= received:
                    break
                time.sleep(0.02)
        finally:
            listener.close()
            self.env.cr.postcommit.clear()
        self.assertTrue(expected <= received, received)

    def test_popup_updates_then_cards_on_demand(self):
        """The bus carries what the call is now, the same for every user told; the
        whole popup, client cards included, is built for the user who asks."""
        self.env.cr.precommit.clear()
        ringing, _ring_101, ring_102, answered, ended = generic_call("u1")
        self.ingest("generic", [ringing, ring_102])
        call = self.call("generic", "u1")
        (ring,) = self.bus(self.consultant2)
        self.assertEqual(
            (ring["call_id"], ring["phase"], ring["state"], ring["number"]),
            (call.id, "ringing", "ringing", CLIENT_NUMBER),
        )
        self.assertFalse(self.bus(self.consultant), "101 was not rung")
        self.ingest("generic", [answered])  # 101 answers without having been rung
        (first,) = self.bus(self.consultant)
        update = self.bus(self.consultant2)[1]
        self.assertEqual(first, update)
        self.assertNotIn("partners", update)
        self.assertEqual(
            (update["call_id"], update["phase"], update["state"], update["number"]),
            (call.id, "answered", "talking", CLIENT_NUMBER),
        )
        self.assertEqual(update["user"], {"id": self.consultant.id, "name": self.consultant.name})
        self.assertEqual((update["partner_id"], update["traffic_id"]), (self.client.id, False))
        self.ingest("generic", [ended])
        for user in (self.consultant, self.consultant2):
            last = self.bus(user)[-1]
            self.assertNotIn("partners", last)
            self.assertEqual((last["phase"], last["state"]), ("ended", "done"))
            self.assertEqual((last["wait_seconds"], last["talk_seconds"]), (14, 80))
        whole = call.with_user(self.consultant2).dealer_popup_payload()
        self.assertEqual((whole["call_id"], whole["phase"]), (call.id, "ended"))
        self.assertEqual([card["id"] for card in whole["partners"]], [self.client.id])
        self.assertIn("open_tasks", whole["partners"][0])
        self.assertEqual(whole["dealer_direction"]["id"], self.service.id)

    def test_traffic_link(self):
        self.ingest("generic", generic_call("t1"))
        call = self.call("generic", "t1")
        action = call.with_user(self.operator).action_register_traffic()
        context = action["context"]
        self.assertEqual(context["default_pbx_call_id"], call.id)
        self.assertEqual(context["default_partner_id"], self.client.id)
        self.assertEqual(context["default_contact_phone"], CLIENT_NUMBER)
        self.assertEqual(context["default_direction_id"], self.service.id)
        self.assertEqual(context["default_source_id"], self.source.id)
        self.assertEqual(
            context["default_channel_id"], self.env.ref("dealer_traffic.channel_call").id
        )
        goal = self.env.ref("dealer_traffic.goal_service_repair")
        traffic = (
            self.env["dealer.traffic"]
            .with_user(self.operator)
            .with_context(**context)
            .create({"goal_id": goal.id})
        )
        self.assertEqual(traffic.pbx_call_id, call)
        self.assertEqual(call.traffic_id, traffic)
        self.assertEqual(traffic.source_id, self.source)
        with self.assertRaises(UserError):
            self.env["dealer.traffic"].with_user(self.operator).create(
                {
                    "goal_id": goal.id,
                    "direction_id": self.service.id,
                    "pbx_call_id": call.id,
                    "channel_id": context["default_channel_id"],
                }
            )


class TestAssemblyAfterAnswer(PbxCase):
    """The webhook stores the events and answers; the calls are assembled right after
    (``_dealer_assemble_pending``), each call once for all the events it got."""

    def setUp(self):
        super().setUp()
        # The assembly commits each call; the test's transaction stays whole.
        self.patch(self.env.cr, "commit", lambda: None)

    def store(self, events):
        return self.pbx["generic"]._dealer_ingest(events, assemble=False)

    def test_stored_pending_then_assembled_once(self):
        reference = generic_call("sync")
        self.pbx["generic"]._dealer_ingest(reference)
        events = generic_call("after")
        result = self.store(events[:2])
        call = self.call("generic", "after")
        self.assertEqual(result["calls"], call, "the call is stored with the events")
        self.assertTrue(call.assembly_due)
        self.assertEqual((call.state, call.caller_number), ("ringing", False))
        self.assertFalse(call.user_id)
        self.assertFalse(self.bus(), "no popup before the assembly")

        self.assertEqual(self.env["dealer.pbx.call"]._dealer_assemble_pending(), 1)
        self.assertFalse(call.assembly_due)
        self.assertEqual((call.state, call.caller_number), ("ringing", CLIENT_NUMBER))
        self.assertEqual([p["phase"] for p in self.bus(self.consultant)], ["ringing"])

        for event in events[2:]:  # three requests before the next assembly
            self.store([event])
        self.assertEqual(self.env["dealer.pbx.call"]._dealer_assemble_pending(), 1, "once")
        self.assertEqual(self.env["dealer.pbx.call"]._dealer_assemble_pending(), 0)
        sync = self.call("generic", "sync")
        self.assertEqual(
            {name: call[name] for name in COMPARED}, {name: sync[name] for name in COMPARED}
        )
        self.assertEqual(len(call.event_ids), 5)
        self.assertEqual(
            [p["phase"] for p in self.bus(self.consultant)],
            ["ringing", "ended"],
            "the popup shows the call as it is when assembled",
        )

    def test_duplicates_leave_nothing_pending(self):
        events = generic_call("dup")
        self.store(events)
        self.env["dealer.pbx.call"]._dealer_assemble_pending()
        result = self.store(events)
        self.assertEqual((result["stored"], result["duplicates"]), (0, 5))
        self.assertFalse(self.call("generic", "dup").assembly_due)

    def test_a_failed_assembly_is_kept_and_retried_by_the_cron(self):
        Call = self.env["dealer.pbx.call"]
        self.store(generic_call("broken"))
        self.store(generic_call("fine"))
        broken, fine = self.call("generic", "broken"), self.call("generic", "fine")
        values = type(Call)._dealer_values

        def failing(call, events, row):
            if row["external_id"] == "broken":
                raise ValueError("a vendor's event this version cannot read")
            return values(call, events, row)

        with (
            patch.object(type(Call), "_dealer_values", failing),
            self.assertLogs("odoo.addons.dealer_pbx.models.dealer_pbx_call", "ERROR") as logs,
        ):
            self.assertEqual(Call._dealer_assemble_pending(), 1, "the other call goes on")
        self.assertIn(f"PBX call {broken.id} could not be assembled", logs.output[0])
        self.assertEqual((fine.state, bool(fine.assembly_due)), ("done", False))
        self.assertTrue(broken.assembly_due, "still pending: nothing lost")
        self.assertIn("cannot read", broken.sudo().assembly_error)
        stored = self.env["dealer.pbx.event"].search_count([("call_key", "=", "broken")])
        self.assertEqual(stored, 5)
        self.assertEqual(Call._dealer_assemble_pending(), 0, "left to the cron")

        Call._cron_assemble_pending()
        self.assertEqual((broken.state, bool(broken.assembly_due)), ("done", False))
        self.assertFalse(broken.sudo().assembly_error)
        self.assertEqual(broken.user_id, self.consultant)

    def test_a_missed_call_gets_its_callback_task_after_its_popups(self):
        self.store(generic_call("missed-after", answered=False))
        self.assertEqual(self.env["dealer.pbx.call"]._dealer_assemble_pending(), 1)
        call = self.call("generic", "missed-after")
        self.assertEqual((call.state, call.callback_state), ("missed", "pending"))
        self.assertEqual(call.callback_user_id, self.supervisor, "the line's responsible")
        (activity,) = call.activity_ids
        self.assertEqual(activity.user_id, self.supervisor)
        # In the responsible's language (Russian when it is loaded): the number and the wait.
        self.assertIn(CLIENT_NUMBER, activity.note)
        self.assertIn("0:41.", activity.note)
        self.assertFalse(self.bus(), "over when assembled: nobody was told it rang")
