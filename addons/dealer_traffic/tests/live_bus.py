"""The bus, live, in browser tours.

Odoo turns the websocket off in test mode, and the test cursor drops the post-commit
hook that tells the websocket server about new notifications. ``live_bus()`` turns
the websocket on and, when a request commits, tells the websockets listening to the
channels it notified, as Odoo's own ``WebsocketCase.trigger_notification_dispatching``
does by hand."""

from contextlib import ExitStack, contextmanager
from unittest.mock import patch

from odoo.addons.bus.models.bus import dispatch, hashable
from odoo.addons.bus.websocket import WebsocketConnectionHandler
from odoo.sql_db import TestCursor


@contextmanager
def live_bus():
    commit = TestCursor.commit

    def commit_and_dispatch(cursor):
        channels = list(cursor.postcommit.data.get("bus.bus.channels", ()))
        commit(cursor)
        for channel in channels:
            for websocket in list(dispatch._channels_to_ws.get(hashable(channel), ())):
                websocket.trigger_notification_dispatching()

    with ExitStack() as stack:
        stack.enter_context(
            patch.object(WebsocketConnectionHandler, "websocket_allowed", return_value=True)
        )
        stack.enter_context(patch.object(TestCursor, "commit", commit_and_dispatch))
        yield
