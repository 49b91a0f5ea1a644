"""Each adapter against real vendor payloads, signatures computed here independently
of the adapters (as the vendors' own code computes them)."""

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qsl

from odoo.tests import TransactionCase

from ..adapters import (
    AsteriskAdapter,
    GenericAdapter,
    MalformedError,
    MangoAdapter,
    SignatureError,
    ZadarmaAdapter,
)
from ..adapters.zadarma import zadarma_api_request
from .common import MANGO_KEY, MANGO_SALT, SECRET, ZADARMA_KEY, ZADARMA_SECRET, utc

RECEIVED = utc(2024, 12, 7, 7, 15, 40)


def dealer_signature(body, secret=SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def zadarma_header(string, secret=ZADARMA_SECRET):
    # PHP: base64_encode(hash_hmac('sha1', $string, $secret)) — hash_hmac returns hex.
    hex_digest = hmac.new(secret.encode(), string.encode(), hashlib.sha1).hexdigest()
    return base64.b64encode(hex_digest.encode()).decode()


def mango_form(document, key=MANGO_KEY, salt=MANGO_SALT):
    json_text = json.dumps(document, separators=(",", ":"))
    sign = hashlib.sha256((key + json_text + salt).encode()).hexdigest()
    return {"vpbx_api_key": key, "sign": sign, "json": json_text}


class TestGenericAdapter(TransactionCase):
    adapter = GenericAdapter(api_secret=SECRET)

    def test_signature(self):
        body = json.dumps({"event": "ringing", "call_id": "c1", "time": 1733555703}).encode()
        headers = {"X-Dealer-Signature": dealer_signature(body)}
        self.adapter.verify(headers, body, {})  # no error
        self.adapter.verify({"x-dealer-signature": dealer_signature(body)}, body, {})
        for wrong in (
            {},
            {"X-Dealer-Signature": dealer_signature(body, "other")},
            {"X-Dealer-Signature": dealer_signature(body)[7:]},  # no scheme
            {"X-Dealer-Signature": dealer_signature(body + b" ")},
        ):
            with self.assertRaises(SignatureError):
                self.adapter.verify(wrong, body, {})
        with self.assertRaises(SignatureError):
            GenericAdapter(api_secret="").verify(headers, body, {})

    def test_parse_list_and_times(self):
        body = json.dumps(
            [
                {
                    "event": "ringing",
                    "call_id": "c1",
                    "direction": "incoming",
                    "from": "8 916 811-22-33",
                    "to": "74957554410",
                    "line": "74957554410",
                    "extension": "101",
                    "time": "2024-12-07T10:15:03+03:00",
                },
                {"event": "ended", "call_id": "c1", "time": 1733555760, "disposition": "answered"},
            ]
        ).encode()
        ringing, ended = self.adapter.parse({}, body, {})
        self.assertEqual(ringing.time, utc(2024, 12, 7, 7, 15, 3))
        self.assertEqual(
            (ringing.leg, ringing.extension, ringing.caller), ("101", "101", "8 916 811-22-33")
        )
        self.assertEqual((ended.leg, ended.disposition), ("", "answered"))
        self.assertEqual(ended.time, utc(2024, 12, 7, 7, 16))
        single = self.adapter.parse(
            {}, json.dumps({"event": "answered", "call_id": "c2", "time": 1}).encode(), {}
        )
        self.assertEqual(len(single), 1)

    def test_malformed(self):
        for body in (
            b"not json",
            b"[]",
            b'{"event": "rang", "call_id": "c", "time": 1}',
            b'{"event": "ringing", "time": 1}',
            b'{"event": "ringing", "call_id": "c", "time": "2024-12-07T10:15:03"}',
            b'{"event": "ended", "call_id": "c", "time": 1, "disposition": "maybe"}',
            b'{"event": "ringing", "call_id": "c", "time": 1, "direction": "sideways"}',
        ):
            with self.subTest(body=body), self.assertRaises(MalformedError):
                self.adapter.parse({}, body, {})


class TestAsteriskAdapter(TransactionCase):
    adapter = AsteriskAdapter(api_secret=SECRET, extensions=["101", "102"])

    def test_incoming_through_queue_local_channels(self):
        linked = "1733555700.100"
        events = [
            {
                "Event": "Newchannel",
                "Channel": "PJSIP/mts-trunk-00000010",
                "Uniqueid": linked,
                "Linkedid": linked,
                "CallerIDNum": "79168112233",
                "Exten": "74957554410",
                "Context": "from-trunk",
                "Timestamp": "1733555700.000000",
            },
            {
                "Event": "Newchannel",
                "Channel": "Local/101@from-queue-00000005;1",
                "Uniqueid": "1733555701.101",
                "Linkedid": linked,
                "CallerIDNum": "79168112233",
                "Exten": "101",
                "Timestamp": "1733555701.0",
            },
            {
                "Event": "DialBegin",
                "Channel": "Local/101@from-queue-00000005;2",
                "Uniqueid": "1733555701.102",
                "Linkedid": linked,
                "DestChannel": "PJSIP/101-00000011",
                "DestUniqueid": "1733555701.103",
                "DestLinkedid": linked,
                "DestCallerIDNum": "101",
                "Timestamp": "1733555701.5",
            },
            {
                "Event": "DialBegin",
                "Channel": "PJSIP/mts-trunk-00000010",
                "Uniqueid": linked,
                "Linkedid": linked,
                "DestChannel": "Local/102@from-queue-00000006;1",
                "DestUniqueid": "1733555701.104",
                "DestLinkedid": linked,
                "Timestamp": "1733555701.6",
            },
            {
                "Event": "DialEnd",
                "Channel": "Local/101@from-queue-00000005;2",
                "Uniqueid": "1733555701.102",
                "Linkedid": linked,
                "DestChannel": "PJSIP/101-00000011",
                "DestUniqueid": "1733555701.103",
                "DestLinkedid": linked,
                "DialStatus": "ANSWER",
                "Timestamp": "1733555712.0",
            },
            {
                "Event": "BridgeEnter",
                "Channel": "PJSIP/101-00000011",
                "Uniqueid": "1733555701.103",
                "Linkedid": linked,
                "CallerIDNum": "101",
                "Timestamp": "1733555712.1",
            },
            {
                "Event": "VarSet",
                "Channel": "PJSIP/mts-trunk-00000010",
                "Uniqueid": linked,
                "Linkedid": linked,
                "Variable": "MIXMONITOR_FILENAME",
                "Value": "/var/spool/asterisk/monitor/2024/12/07/in-74957554410-1733555700.100.wav",
                "Timestamp": "1733555712.2",
            },
            {
                "Event": "Hangup",
                "Channel": "Local/101@from-queue-00000005;1",
                "Uniqueid": "1733555701.101",
                "Linkedid": linked,
                "Cause": "16",
                "Timestamp": "1733555790.0",
            },
            {
                "Event": "Hangup",
                "Channel": "PJSIP/mts-trunk-00000010",
                "Uniqueid": linked,
                "Linkedid": linked,
                "Cause": "16",
                "Timestamp": "1733555790.5",
            },
        ]
        body = json.dumps({"events": events}).encode()
        self.adapter.verify({"X-Dealer-Signature": dealer_signature(body)}, body, {})
        parsed = self.adapter.parse({}, body, {})
        summary = [(e.kind, e.leg, e.extension) for e in parsed]
        self.assertEqual(
            summary,
            [
                ("ringing", "", None),
                ("ringing", "1733555701.103", "101"),
                ("answered", "1733555701.103", "101"),
                ("answered", "1733555701.103", "101"),  # BridgeEnter: a duplicate key
                ("recording", "", None),
                ("ended", "", None),
            ],
            "Local channels are neither calls nor extensions",
        )
        start = parsed[0]
        self.assertEqual(
            (start.direction, start.caller, start.line), ("incoming", "79168112233", "74957554410")
        )
        self.assertEqual(start.time, utc(2024, 12, 7, 7, 15))
        self.assertTrue(all(e.call_key == linked for e in parsed))
        self.assertTrue(parsed[4].recording_id.endswith("1733555700.100.wav"))
        self.assertIsNone(parsed[-1].disposition)

    def test_outgoing_and_busy(self):
        linked = "1733556000.200"
        events = [
            {
                "Event": "Newchannel",
                "Channel": "PJSIP/101-00000020",
                "Uniqueid": linked,
                "Linkedid": linked,
                "CallerIDNum": "101",
                "Exten": "89168112233",
                "Timestamp": "1733556000",
            },
            {
                "Event": "DialBegin",
                "Channel": "PJSIP/101-00000020",
                "Uniqueid": linked,
                "Linkedid": linked,
                "DestChannel": "PJSIP/mts-trunk-00000021",
                "DestUniqueid": "1733556000.201",
                "DestLinkedid": linked,
                "DestCallerIDNum": "89168112233",
                "Timestamp": "1733556000.5",
            },
            {
                "Event": "Hangup",
                "Channel": "PJSIP/101-00000020",
                "Uniqueid": linked,
                "Linkedid": linked,
                "Cause": "17",
                "Timestamp": "1733556009",
            },
        ]
        parsed = self.adapter.parse({}, json.dumps({"events": events}).encode(), {})
        self.assertEqual(
            [(e.kind, e.direction) for e in parsed], [("ringing", "outgoing"), ("ended", None)]
        )
        self.assertEqual((parsed[0].extension, parsed[0].called), ("101", "89168112233"))
        self.assertEqual(parsed[1].disposition, "busy")

    def test_missing_timestamp_uses_reception_and_malformed(self):
        event = {"Event": "Hangup", "Uniqueid": "1.1", "Linkedid": "1.1", "Cause": "16"}
        (parsed,) = self.adapter.parse(
            {}, json.dumps({"events": [event]}).encode(), {}, "", RECEIVED
        )
        self.assertEqual(parsed.time, RECEIVED)
        for body in (
            b'{"events": "x"}',
            b"[]",
            b'{"events": [1]}',
            json.dumps(
                {"events": [{"Event": "VarSet", "Variable": "MIXMONITOR_FILENAME", "Value": "a"}]}
            ).encode(),
        ):
            with self.subTest(body=body), self.assertRaises(MalformedError):
                self.adapter.parse({}, body, {}, "", RECEIVED)


class TestZadarmaAdapter(TransactionCase):
    adapter = ZadarmaAdapter(
        api_key=ZADARMA_KEY, api_secret=ZADARMA_SECRET, timezone="Europe/Moscow"
    )
    start = {
        "event": "NOTIFY_START",
        "call_start": "2024-12-07 10:15:03",
        "pbx_call_id": "in_2b1d4c1a9f0e4e6c8a7b",
        "caller_id": "79168112233",
        "called_did": "74957554410",
    }

    def test_signatures_of_every_event(self):
        cases = {
            "NOTIFY_START": ({**self.start}, "79168112233749575544102024-12-07 10:15:03"),
            "NOTIFY_INTERNAL": (
                {**self.start, "event": "NOTIFY_INTERNAL", "internal": "101"},
                "79168112233749575544102024-12-07 10:15:03",
            ),
            "NOTIFY_ANSWER": (
                {
                    "event": "NOTIFY_ANSWER",
                    "caller_id": "79168112233",
                    "destination": "101",
                    "call_start": "2024-12-07 10:15:03",
                    "pbx_call_id": "in_2b1d4c1a9f0e4e6c8a7b",
                    "internal": "101",
                },
                "791681122331012024-12-07 10:15:03",
            ),
            "NOTIFY_END": (
                {
                    **self.start,
                    "event": "NOTIFY_END",
                    "internal": "101",
                    "duration": "74",
                    "disposition": "answered",
                    "status_code": "16",
                    "is_recorded": "1",
                    "call_id_with_rec": "1733555703.3412",
                },
                "79168112233749575544102024-12-07 10:15:03",
            ),
            "NOTIFY_OUT_START": (
                {
                    "event": "NOTIFY_OUT_START",
                    "call_start": "2024-12-07 11:00:00",
                    "pbx_call_id": "out_9d3e",
                    "internal": "101",
                    "destination": "79168112233",
                    "caller_id": "74957554410",
                },
                "101791681122332024-12-07 11:00:00",
            ),
            "NOTIFY_OUT_END": (
                {
                    "event": "NOTIFY_OUT_END",
                    "call_start": "2024-12-07 11:00:00",
                    "pbx_call_id": "out_9d3e",
                    "internal": "101",
                    "destination": "79168112233",
                    "duration": "0",
                    "disposition": "no answer",
                },
                "101791681122332024-12-07 11:00:00",
            ),
            "NOTIFY_RECORD": (
                {
                    "event": "NOTIFY_RECORD",
                    "pbx_call_id": "in_2b1d4c1a9f0e4e6c8a7b",
                    "call_id_with_rec": "1733555703.3412",
                },
                "in_2b1d4c1a9f0e4e6c8a7b1733555703.3412",
            ),
        }
        for event, (form, string) in cases.items():
            with self.subTest(event=event):
                self.adapter.verify({"Signature": zadarma_header(string)}, b"", form)
                with self.assertRaises(SignatureError):
                    self.adapter.verify({"Signature": zadarma_header(string + "x")}, b"", form)
                raw = hmac.new(ZADARMA_SECRET.encode(), string.encode(), hashlib.sha1).digest()
                with self.assertRaises(SignatureError, msg="base64 of the raw digest is wrong"):
                    self.adapter.verify({"Signature": base64.b64encode(raw).decode()}, b"", form)
        with self.assertRaises(SignatureError):
            self.adapter.verify({}, b"", self.start)
        with self.assertRaises(SignatureError):
            self.adapter.verify({"Signature": "x"}, b"", {"event": "NOTIFY_IVR"})

    def test_local_time_and_talk_time(self):
        (ringing,) = self.adapter.parse({}, b"", self.start, "", RECEIVED)
        self.assertEqual(ringing.time, utc(2024, 12, 7, 7, 15, 3), "Moscow is UTC+3")
        self.assertEqual(
            (ringing.kind, ringing.direction, ringing.line), ("ringing", "incoming", "74957554410")
        )
        end = {
            **self.start,
            "event": "NOTIFY_END",
            "internal": "101",
            "duration": "74",
            "disposition": "answered",
            "is_recorded": "1",
            "call_id_with_rec": "1733555703.3412",
        }
        (ended,) = self.adapter.parse({}, b"", end, "", RECEIVED)
        self.assertEqual((ended.kind, ended.leg, ended.talk_seconds), ("ended", "", 74))
        self.assertEqual((ended.disposition, ended.recording_id), ("answered", "1733555703.3412"))
        self.assertEqual(ended.start_time, utc(2024, 12, 7, 7, 15, 3))
        self.assertEqual(ended.time, RECEIVED)
        other = ZadarmaAdapter(api_secret="x", timezone="Asia/Yekaterinburg")
        (ekb,) = other.parse({}, b"", self.start, "", RECEIVED)
        self.assertEqual(ekb.time, utc(2024, 12, 7, 5, 15, 3))
        for bad in ({**self.start, "call_start": "07.12.2024"}, {**self.start, "pbx_call_id": ""}):
            with self.assertRaises(MalformedError):
                self.adapter.parse({}, b"", bad, "", RECEIVED)

    def test_echo_and_api_authorization(self):
        self.assertEqual(self.adapter.echo({"zd_echo": "d41d8cd98f"}), "d41d8cd98f")
        self.assertIsNone(self.adapter.echo({}))
        method = "/v1/pbx/record/request/"
        query, authorization = zadarma_api_request(
            ZADARMA_KEY, ZADARMA_SECRET, method, {"pbx_call_id": "in_2b", "call_id": "1733.34"}
        )
        self.assertEqual(
            query, "call_id=1733.34&format=json&pbx_call_id=in_2b", "sorted, format added"
        )
        md5 = hashlib.md5(query.encode()).hexdigest()
        expected = zadarma_header(method + query + md5)
        self.assertEqual(authorization, f"{ZADARMA_KEY}:{expected}")
        self.assertEqual(dict(parse_qsl(query))["format"], "json")


class TestMangoAdapter(TransactionCase):
    adapter = MangoAdapter(api_key=MANGO_KEY, api_secret=MANGO_SALT)
    appeared = {
        "entry_id": "MzQ1Mzc1MzUxMzoxNjE=",
        "call_id": "MToxMDA3MTYxNToxNjE6Nzc2MTY1NjA4OjE=",
        "timestamp": 1733555703,
        "seq": 1,
        "call_state": "Appeared",
        "location": "ivr",
        "from": {"number": "79168112233"},
        "to": {"number": "74957554410", "line_number": "74957554410"},
    }

    def test_sign(self):
        form = mango_form(self.appeared)
        self.adapter.verify({}, b"", form, "events/call")
        for wrong in (
            {**form, "sign": "0" * 64},
            {**form, "vpbx_api_key": "other"},
            {**form, "json": form["json"] + " "},
            mango_form(self.appeared, salt="other"),
            {"vpbx_api_key": MANGO_KEY, "sign": form["sign"]},
        ):
            with self.assertRaises(SignatureError):
                self.adapter.verify({}, b"", wrong, "events/call")

    def test_call_legs_summary_recording(self):
        (ringing,) = self.adapter.parse({}, b"", mango_form(self.appeared), "events/call")
        self.assertEqual(
            (ringing.kind, ringing.call_key, ringing.leg, ringing.direction, ringing.extension),
            ("ringing", "MzQ1Mzc1MzUxMzoxNjE=", self.appeared["call_id"], "incoming", None),
        )
        ivr_connected = {**self.appeared, "seq": 2, "call_state": "Connected"}
        self.assertEqual(
            self.adapter.parse({}, b"", mango_form(ivr_connected), "events/call"),
            [],
            "the IVR answering is no answer",
        )
        agent = {
            **self.appeared,
            "call_id": "MToxMDA3MTYxNToxNjE6Nzc2MTY1NjA4OjI=",
            "seq": 3,
            "call_state": "Connected",
            "location": "abonent",
            "timestamp": 1733555715,
            "to": {
                "extension": "101",
                "number": "sip:101@avtosever.mangosip.ru",
                "line_number": "74957554410",
            },
        }
        (answered,) = self.adapter.parse({}, b"", mango_form(agent), "events/call")
        self.assertEqual((answered.kind, answered.extension), ("answered", "101"))
        summary = {
            "entry_id": "MzQ1Mzc1MzUxMzoxNjE=",
            "call_direction": 1,
            "from": {"number": "79168112233"},
            "to": {"extension": "101", "number": "sip:101@x"},
            "line_number": "74957554410",
            "create_time": 1733555703,
            "forward_time": 1733555705,
            "talk_time": 1733555715,
            "end_time": 1733555789,
            "entry_result": 1,
            "disconnect_reason": 1110,
        }
        (ended,) = self.adapter.parse({}, b"", mango_form(summary), "events/summary")
        self.assertEqual(
            (ended.kind, ended.leg, ended.disposition, ended.talk_seconds),
            ("ended", "", "answered", 74),
        )
        self.assertEqual(
            (ended.start_time, ended.answer_time),
            (utc(2024, 12, 7, 7, 15, 3), utc(2024, 12, 7, 7, 15, 15)),
        )
        missed = {**summary, "talk_time": 0, "entry_result": 0}
        (lost,) = self.adapter.parse({}, b"", mango_form(missed), "events/summary")
        self.assertEqual(
            (lost.disposition, lost.talk_seconds, lost.answer_time), ("no_answer", 0, None)
        )
        recording = {
            "entry_id": summary["entry_id"],
            "call_id": agent["call_id"],
            "recording_id": "MToxMDA3MTYxNToxNjE6NDM4OTQ=",
            "recording_state": "Completed",
            "extension": "101",
            "timestamp": 1733555790,
        }
        (record,) = self.adapter.parse({}, b"", mango_form(recording), "events/recording")
        self.assertEqual(record.recording_id, "MToxMDA3MTYxNToxNjE6NDM4OTQ=")
        started = {**recording, "recording_state": "Started"}
        self.assertEqual(self.adapter.parse({}, b"", mango_form(started), "events/recording"), [])
        self.assertEqual(self.adapter.parse({}, b"", mango_form({"x": 1}), "events/dtmf"), [])
        with self.assertRaises(MalformedError):
            self.adapter.parse({}, b"", {"json": "{not json"}, "events/call")
