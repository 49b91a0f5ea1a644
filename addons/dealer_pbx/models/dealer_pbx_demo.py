import random
from datetime import datetime, time, timedelta, timezone

import pytz

from odoo import api, fields, models

from ..adapters import PbxEvent

DEMO_UNKNOWN_NUMBERS = (
    "+7 916 204-18-77",
    "+7 925 531-62-09",
    "+7 903 718-44-15",
    "+7 977 260-91-38",
    "8 (926) 143-57-60",
    "+7 985 602-33-81",
)


class DealerPbx(models.Model):
    _inherit = "dealer.pbx"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _dealer_demo_history(self, days=14, per_day=4, seed=2024):
        """A fortnight of calls of the demo PBXs through the real assembly: clients
        calling the dealership's lines, answered or missed (some called back), and
        staff calling clients. Deterministic."""
        calls = self.env["dealer.pbx.call"]
        if calls.search_count([("external_id", "=like", "demo-%")], limit=1):
            return True  # loaded again by an update: the history is there already
        rng = random.Random(seed)
        mobiles = self.env["dealer.partner.phone"].search([("phone_type", "=", "mobile")])
        numbers = mobiles.mapped("number") + list(DEMO_UNKNOWN_NUMBERS)
        zone = pytz.timezone("Europe/Moscow")
        today = fields.Date.context_today(self)
        for pbx in self.search([("line_ids", "!=", False), ("extension_ids", "!=", False)]):
            extensions = pbx.extension_ids.filtered("user_id").mapped("number")
            lines = pbx.line_ids.mapped("number")
            for offset in range(days, 0, -1):
                day = today - timedelta(days=offset)
                for index in range(per_day):
                    start = zone.localize(
                        datetime.combine(day, time(9 + rng.randrange(9), rng.randrange(60)))
                    ).astimezone(timezone.utc)
                    key = f"demo-{pbx.id}-{day.isoformat()}-{index}"
                    number = rng.choice(numbers)
                    events = self._dealer_demo_call(
                        rng,
                        key,
                        start=start,
                        number=number,
                        line=rng.choice(lines),
                        extensions=extensions,
                    )
                    pbx._dealer_ingest(events, start.replace(tzinfo=None))
        return True

    @staticmethod
    def _dealer_demo_call(rng, key, *, start, number, line, extensions):
        rung = rng.choice(extensions)
        roll = rng.random()
        if roll < 0.2:  # staff calling a client
            talk = rng.randrange(30, 400)
            return [
                PbxEvent("ringing", key, direction="outgoing", caller=rung, called=number,
                         extension=rung, time=start),
                PbxEvent("answered", key, leg="1", extension=rung,
                         time=start + timedelta(seconds=12)),
                PbxEvent("ended", key, disposition="answered", talk_seconds=talk,
                         time=start + timedelta(seconds=12 + talk)),
            ]  # fmt: skip
        wait = rng.randrange(4, 70)
        events = [
            PbxEvent("ringing", key, direction="incoming", caller=number, called=line,
                     line=line, time=start),
            PbxEvent("ringing", key, leg=rung, extension=rung,
                     time=start + timedelta(seconds=2)),
        ]  # fmt: skip
        if roll < 0.4:  # nobody answered
            events.append(
                PbxEvent(
                    "ended", key, disposition="no_answer", time=start + timedelta(seconds=wait)
                )
            )
            return events
        talk = rng.randrange(20, 600)
        answer = start + timedelta(seconds=wait)
        return [
            *events,
            PbxEvent("answered", key, leg=rung, extension=rung, time=answer),
            PbxEvent("ended", key, disposition="answered",
                     time=answer + timedelta(seconds=talk)),
        ]  # fmt: skip
