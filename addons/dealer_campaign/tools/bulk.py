"""Bulk writes shared out over several database connections.

A segment adds a hundred thousand planned contacts and the distribution makes as many
call tasks. The statements are set-based already, yet PostgreSQL checks every
foreign key and maintains every index row by row, on one core per connection: the
rows are cut into parts, written at the same time on a connection each, every part in
a transaction of its own. A part that fails leaves the others done; doing it again
finishes it, what is done being skipped (a client already in the campaign, a contact
that has its task).
"""

import logging
import threading

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Below this many rows a part is not worth its connection and transaction.
MIN_PART_ROWS = 20_000
# Connections used at most: the integrator's to raise where the database server has
# more cores.
JOBS_PARAM = "dealer_campaign.bulk_jobs"
DEFAULT_JOBS = 2


def part_count(env, rows):
    """How many parts ``rows`` rows are written in: one when the transaction of
    ``env`` has written anything already, which the parts' transactions would not see
    (a campaign created in the same call) or would wait for (a row it locked)."""
    # sudo: a supervisor reads the integrator's setting, not the settings menu.
    raw = env["ir.config_parameter"].sudo().get_param(JOBS_PARAM, DEFAULT_JOBS)
    try:
        jobs = int(raw)
    except (TypeError, ValueError):
        _logger.warning("%s is not a number of connections: %r; using 1", JOBS_PARAM, raw)
        jobs = 1
    parts = max(1, min(jobs, rows // MIN_PART_ROWS))
    return 1 if parts > 1 and has_written(env) else parts


def has_written(env):
    """Whether the transaction of ``env`` has written anything (pending writes too)."""
    env.flush_all()
    # A transaction is given its id when it first writes.
    env.cr.execute(SQL("SELECT pg_current_xact_id_if_assigned() IS NOT NULL"))
    return env.cr.fetchone()[0]


def split(items, parts):
    """``items`` cut into ``parts`` consecutive slices of about the same size."""
    size = -(-len(items) // parts)
    return [items[start : start + size] for start in range(0, len(items), size)]


def run_parts(records, method, parts):
    """Call ``records.<method>(*args)`` for each ``args`` of ``parts`` at the same
    time, each in a thread of its own on a cursor of its own, committed when the call
    returns, rolled back when it raises. Records among the arguments are read in the
    part's environment.

    The caller's transaction must not have written what a part writes or locks (it
    would wait for it forever) and cannot see what the parts wrote: a part commits
    independently. Returns ``(results, errors)`` by part: the call's result or None,
    the exception it raised or None."""
    registry, uid, context = records.env.registry, records.env.uid, records.env.context
    su = records.env.su
    results, errors = [None] * len(parts), [None] * len(parts)

    def work(index, args):
        threading.current_thread().dbname = registry.db_name  # for the log lines
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, uid, context, su)
                args = [a.with_env(env) if isinstance(a, models.BaseModel) else a for a in args]
                results[index] = getattr(records.with_env(env), method)(*args)
        except UserError as error:
            _logger.warning("%s: part %s of %s refused: %s", method, index + 1, len(parts), error)
            errors[index] = error
        except Exception as error:  # reported by the caller, part by part
            _logger.exception("%s: part %s of %s failed", method, index + 1, len(parts))
            errors[index] = error

    threads = [
        threading.Thread(target=work, args=(index, args), name=f"{method}-{index + 1}")
        for index, args in enumerate(parts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
