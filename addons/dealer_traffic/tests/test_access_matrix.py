"""Who may do what on every model of the suite: each role × read / write / create /
delete × a record of the user's own branch and one of another branch.

EXPECTED is the security model of the README written out cell by cell; the test
performs every operation as a user holding only that role and the main company, and
reports every cell that behaves otherwise in one failure. A new model of the suite
gets its rows here along with its access lines and record rules.
"""

import logging
from contextlib import closing
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

_logger = logging.getLogger(__name__)

ROLES = ("operator", "consultant", "supervisor", "admin")
OPERATIONS = "rwcd"  # read, write, create, delete
OWN, OTHER = 0, 1

# model: {role: (own branch, other branch)}. A cell spells what the role may do like
# a file mode: "r" read, "w" write, "c" create, "d" delete, "-" refused, "." not
# checked. None: the model has no branch, its records are shared by all branches.
# Own branch: the record is one the role works with (traffic: an operator's own
# registration, a consultant's own contact, any contact of the branch for the
# supervisor and the administrator); wizards: one the user opened, the other column
# one a colleague opened.
CONFIGURATION = {
    "operator": ("r---", None),
    "consultant": ("r---", None),
    "supervisor": ("r---", None),
    "admin": ("rwcd", None),
}
EXPECTED = {
    "dealer.direction": CONFIGURATION,
    "dealer.traffic.channel": CONFIGURATION,
    "dealer.contact.goal": CONFIGURATION,
    "dealer.ignore.reason": CONFIGURATION,
    "dealer.appointment.kind": CONFIGURATION,
    "fleet.vehicle.model": CONFIGURATION,
    # Odoo's Contact Creation right, which the operator role implies, includes deleting.
    "res.partner": {
        "operator": ("rwcd", "----"),
        "consultant": ("rwcd", "----"),
        "supervisor": ("rwcd", "----"),
        "admin": ("rwcd", "----"),
    },
    "dealer.partner.phone": {
        "operator": ("rwcd", "----"),
        "consultant": ("rwcd", "----"),
        "supervisor": ("rwcd", "----"),
        "admin": ("rwcd", "----"),
    },
    "dealer.vehicle": {
        "operator": ("rwc-", "----"),
        "consultant": ("rwc-", "----"),
        "supervisor": ("rwcd", "----"),
        "admin": ("rwcd", "----"),
    },
    "dealer.vehicle.odometer": {
        "operator": ("rwc-", "----"),
        "consultant": ("rwc-", "----"),
        "supervisor": ("rwcd", "----"),
        "admin": ("rwcd", "----"),
    },
    "dealer.vehicle.ownership": {
        "operator": ("r---", "----"),
        "consultant": ("r---", "----"),
        "supervisor": ("r---", "----"),
        "admin": ("rwcd", "----"),
    },
    "dealer.traffic": {
        "operator": ("rwc-", "----"),
        "consultant": ("rwc-", "----"),
        "supervisor": ("rwcd", "----"),
        "admin": ("rwcd", "----"),
    },
    "dealer.traffic.funnel.report": {
        "operator": ("----", "----"),
        "consultant": ("r---", "----"),
        "supervisor": ("r---", "----"),
        "admin": ("r---", "----"),
    },
    "dealer.traffic.statistics.report": {
        "operator": ("----", "----"),
        "consultant": ("r---", "----"),
        "supervisor": ("r---", "----"),
        "admin": ("r---", "----"),
    },
    "dealer.traffic.response.report": {
        "operator": ("----", "----"),
        "consultant": ("r---", "----"),
        "supervisor": ("r---", "----"),
        "admin": ("r---", "----"),
    },
    # The «Data for the Period» dialog is a consultant's and a supervisor's.
    "dealer.traffic.period.export": {
        "operator": ("----", "--.-"),
        "consultant": ("rwcd", "--.-"),
        "supervisor": ("rwcd", "--.-"),
        "admin": ("rwcd", "--.-"),
    },
    "dealer.traffic.process.wizard": {
        "operator": ("rwcd", "--.-"),
        "consultant": ("rwcd", "--.-"),
        "supervisor": ("rwcd", "--.-"),
        "admin": ("rwcd", "--.-"),
    },
    "dealer.traffic.ignore.wizard": {
        "operator": ("rwcd", "--.-"),
        "consultant": ("rwcd", "--.-"),
        "supervisor": ("rwcd", "--.-"),
        "admin": ("rwcd", "--.-"),
    },
    "dealer.traffic.reassign.wizard": {
        "operator": ("rwcd", "--.-"),
        "consultant": ("rwcd", "--.-"),
        "supervisor": ("rwcd", "--.-"),
        "admin": ("rwcd", "--.-"),
    },
    "dealer.traffic.callback.wizard": {
        "operator": ("rwcd", "--.-"),
        "consultant": ("rwcd", "--.-"),
        "supervisor": ("rwcd", "--.-"),
        "admin": ("rwcd", "--.-"),
    },
    # Returning a done task to work is a supervisor's.
    "dealer.task.return.wizard": {
        "operator": ("----", "--.-"),
        "consultant": ("----", "--.-"),
        "supervisor": ("rwcd", "--.-"),
        "admin": ("rwcd", "--.-"),
    },
    "project.project": {
        "operator": ("r---", "----"),
        "consultant": ("r---", "----"),
        "supervisor": ("r---", "----"),
        "admin": ("rwcd", "----"),
    },
    "project.task": {
        "operator": ("rwc-", "----"),
        "consultant": ("rwc-", "----"),
        "supervisor": ("rwcd", "----"),
        "admin": ("rwcd", "----"),
    },
}
# Models the ORM never writes: only reading is checked for the superuser too.
READ_ONLY_MODELS = {
    "dealer.traffic.funnel.report",
    "dealer.traffic.statistics.report",
    "dealer.traffic.response.report",
}


@tagged("post_install", "-at_install")
class TestAccessMatrix(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        main = env.company
        branch = env["res.company"].create({"name": "Филиал Матрица", "parent_id": main.id})
        cls.companies = (main, branch)
        cls.users = {
            role: new_test_user(
                env,
                f"matrix_{role}",
                groups=f"dealer_base.group_dealer_{role}",
                company_id=main.id,
                company_ids=[Command.set(main.ids)],
            )
            for role in ROLES
        }
        cls.colleague = new_test_user(
            env,
            "matrix_colleague",
            groups="dealer_base.group_dealer_consultant",
            company_id=main.id,
            company_ids=[Command.set(main.ids)],
        )
        cls.service = env.ref("dealer_base.direction_service")
        cls.call = env.ref("dealer_traffic.channel_call")
        cls.repair = env.ref("dealer_traffic.goal_service_repair")
        cls.reason = env.ref("dealer_traffic.ignore_reason_other")
        cls.brand = env.ref("dealer_vehicle.model_kia_rio").brand_id
        cls.config = {
            "dealer.direction": env["dealer.direction"].create(
                {"code": "matrix", "name": "Матрица", "short_name": "М"}
            ),
            "dealer.traffic.channel": env["dealer.traffic.channel"].create(
                {"code": "matrix", "name": "Матрица"}
            ),
            "dealer.contact.goal": env["dealer.contact.goal"].create(
                {"name": "Матрица", "direction_id": cls.service.id}
            ),
            "dealer.ignore.reason": env["dealer.ignore.reason"].create({"name": "Матрица"}),
            "dealer.appointment.kind": env["dealer.appointment.kind"].create({"name": "Матрица"}),
            "fleet.vehicle.model": env["fleet.vehicle.model"].create(
                {"name": "Matrix", "brand_id": cls.brand.id}
            ),
        }
        # Per branch: a client with a phone and a car, a client without anything (to
        # delete), an empty project and a project with a task.
        cls.owners, cls.clients, cls.vehicles, cls.projects, cls.tasks = [], [], [], [], []
        for side, company in enumerate(cls.companies):
            owner = env["res.partner"].create(
                {
                    "name": f"Владелец Матрицы {side}",
                    "company_id": company.id,
                    "mobile": f"+7 916 700 00 0{side}",
                }
            )
            cls.owners.append(owner)
            cls.clients.append(
                env["res.partner"].create(
                    {"name": f"Клиент Матрицы {side}", "company_id": company.id}
                )
            )
            cls.vehicles.append(
                env["dealer.vehicle"].create(
                    {
                        "owner_id": owner.id,
                        "company_id": company.id,
                        "license_plate": f"М{side}00ТР77",
                        "mileage": 1000,
                    }
                )
            )
            cls.projects.append(
                env["project.project"].create(
                    {
                        "name": f"Пустой проект {side}",
                        "company_id": company.id,
                        "privacy_visibility": "employees",
                    }
                )
            )
            project = env["project.project"].create(
                {
                    "name": f"Проект Матрицы {side}",
                    "company_id": company.id,
                    "privacy_visibility": "employees",
                }
            )
            cls.tasks.append(
                env["project.task"].create({"name": "Запись", "project_id": project.id})
            )
        # Per role: a contact of their own (see the traffic rules) and one of the other
        # branch that every other rule would show them (registered by them, unassigned).
        cls.traffic = {}
        for role, user in cls.users.items():
            own = {
                "operator": {"registrar_id": user.id, "user_id": cls.colleague.id},
                "consultant": {"user_id": user.id},
            }.get(role, {"user_id": cls.colleague.id})
            cls.traffic[role] = (
                cls._traffic(own | {"company_id": main.id, "partner_id": cls.owners[OWN].id}),
                cls._traffic({"registrar_id": user.id, "company_id": cls.companies[OTHER].id}),
            )
        cls.wizards = {}
        for model, vals in cls._wizard_vals().items():
            for role, user in cls.users.items():
                traffic = cls.traffic[role][OWN]
                cls.wizards[model, role] = (
                    env[model].with_user(user).create(vals(traffic)),
                    env[model].with_user(cls.colleague).create(vals(traffic)),
                )
        # Made as if each role had opened it (its author), whatever their rights.
        for role, user in cls.users.items():
            Return = env["dealer.task.return.wizard"]
            vals = {"task_ids": [Command.set(cls.tasks[OWN].ids)], "comment": "Матрица"}
            cls.wizards["dealer.task.return.wizard", role] = (
                Return.with_user(user).sudo().create(vals),
                Return.with_user(cls.colleague).sudo().create(vals),
            )
        for role, user in cls.users.items():
            Export = env["dealer.traffic.period.export"]
            vals = {"date_from": "2024-03-01", "date_to": "2024-03-31"}
            cls.wizards["dealer.traffic.period.export", role] = (
                Export.with_user(user).sudo().create(vals),
                Export.with_user(cls.colleague).sudo().create(vals),
            )
        env.flush_all()

    @classmethod
    def _traffic(cls, vals):
        return cls.env["dealer.traffic"].create(
            {
                "channel_id": cls.call.id,
                "direction_id": cls.service.id,
                "goal_id": cls.repair.id,
                "contact_name": "Клиент Матрицы",
            }
            | vals
        )

    @classmethod
    def _wizard_vals(cls):
        def traffic_ids(traffic):
            return {"traffic_ids": [Command.set(traffic.ids)]}

        return {
            "dealer.traffic.process.wizard": lambda t: (
                traffic_ids(t) | {"mode": "create", "kind": "appointment", "name": "Запись"}
            ),
            "dealer.traffic.ignore.wizard": lambda t: (
                traffic_ids(t) | {"reason_id": cls.reason.id, "comment": "Матрица"}
            ),
            "dealer.traffic.reassign.wizard": lambda t: (
                traffic_ids(t) | {"user_id": cls.colleague.id, "comment": "Матрица"}
            ),
            "dealer.traffic.callback.wizard": lambda t: traffic_ids(t) | {"comment": "Матрица"},
        }

    # --- what each model's cells do ------------------------------------------------
    def _cases(self, role):
        """model: (records of the own and the other branch, field to read, values to
        write, values to create a record in a branch)"""
        today = fields.Date.today()
        branch = self.companies
        config_create = {
            "dealer.direction": {"code": "matrix2", "name": "Матрица 2", "short_name": "2"},
            "dealer.traffic.channel": {"code": "matrix2", "name": "Матрица 2"},
            "dealer.contact.goal": {"name": "Матрица 2", "direction_id": self.service.id},
            "dealer.ignore.reason": {"name": "Матрица 2"},
            "dealer.appointment.kind": {"name": "Матрица 2"},
            "fleet.vehicle.model": {"name": "Matrix 2", "brand_id": self.brand.id},
        }
        cases = {
            model: (
                (record, None),
                "name",
                {"name": "Другое"},
                lambda side, m=model: config_create[m],
            )
            for model, record in self.config.items()
        }
        report = self.env["dealer.traffic.funnel.report"]
        cases |= {
            "res.partner": (
                self.clients,
                "name",
                {"city": "Химки"},
                lambda side: {"name": "Новый Клиент", "company_id": branch[side].id},
            ),
            "dealer.partner.phone": (
                [owner.phone_ids[:1] for owner in self.owners],
                "number",
                {"note": "рабочий"},
                lambda side: {"partner_id": self.owners[side].id, "number": "+7 916 700 11 22"},
            ),
            "dealer.vehicle": (
                self.vehicles,
                "license_plate",
                {"color": "Белый"},
                lambda side: {
                    "owner_id": self.owners[side].id,
                    "company_id": branch[side].id,
                    "license_plate": f"Н{side}11ТР77",
                },
            ),
            "dealer.vehicle.odometer": (
                [vehicle.odometer_ids[:1] for vehicle in self.vehicles],
                "value",
                {"note": "ТО"},
                lambda side: {"vehicle_id": self.vehicles[side].id, "value": 2000, "date": today},
            ),
            "dealer.vehicle.ownership": (
                [vehicle.ownership_ids[:1] for vehicle in self.vehicles],
                "partner_id",
                # The period starts on the day in the user's time zone, which may
                # be tomorrow in UTC.
                {"date_end": today + timedelta(days=1)},
                lambda side: {
                    "vehicle_id": self.vehicles[side].id,
                    "partner_id": self.owners[side].id,
                    "date_start": today,
                },
            ),
            # `note`: the workflow's own fields are refused to every direct write.
            "dealer.traffic": (
                self.traffic[role],
                "note",
                {"note": "Перезвонить"},
                lambda side: {
                    "channel_id": self.call.id,
                    "direction_id": self.service.id,
                    "goal_id": self.repair.id,
                    "company_id": branch[side].id,
                    "contact_name": "Новый Клиент",
                },
            ),
            "dealer.traffic.funnel.report": (
                [report.browse(traffic.id) for traffic in self.traffic[role]],
                "traffic_count",
                {"is_repeat": True},
                lambda side: {"is_repeat": True},
            ),
            **{
                model: (
                    [self.env[model].browse(traffic.id) for traffic in self.traffic[role]],
                    "traffic_count",
                    {"contact_order": "repeat"},
                    lambda side: {"contact_order": "repeat"},
                )
                for model in ("dealer.traffic.statistics.report", "dealer.traffic.response.report")
            },
            "project.project": (
                self.projects,
                "name",
                {"name": "Другое"},
                lambda side: {"name": "Новый проект", "company_id": branch[side].id},
            ),
            "project.task": (
                self.tasks,
                "name",
                {"name": "Другое"},
                lambda side: {"name": "Новая запись", "project_id": self.tasks[side].project_id.id},
            ),
        }
        for model, vals in self._wizard_vals().items():
            cases[model] = (
                self.wizards[model, role],
                "traffic_ids",
                {"name": "Запись 2"} if "process" in model else {"comment": "Матрица 2"},
                lambda side, vals=vals: vals(self.traffic[role][OWN]),
            )
        cases["dealer.task.return.wizard"] = (
            self.wizards["dealer.task.return.wizard", role],
            "task_ids",
            {"comment": "Матрица 2"},
            lambda side: {"task_ids": [Command.set(self.tasks[OWN].ids)], "comment": "Матрица"},
        )
        cases["dealer.traffic.period.export"] = (
            self.wizards["dealer.traffic.period.export", role],
            "date_from",
            {"grouping": "day"},
            lambda side: {"date_from": "2024-04-01", "date_to": "2024-04-30"},
        )
        return cases

    def _attempt(self, operation):
        """None when ``operation`` succeeds, else its refusal; undone either way."""
        self.env.invalidate_all()
        with closing(self.env.cr.savepoint()):
            try:
                operation()
                self.env.flush_all()
            except (AccessError, UserError) as error:
                return error
        return None

    def _cell(self, case, env, side, expected):
        """What ``env`` may do on the ``side`` branch's record, spelt as in EXPECTED,
        and the refusals' messages."""
        records, fname, write_vals, create_vals = case
        record = records[side].with_env(env)
        model = record._name
        operations = {
            "r": lambda: record.read([fname]),
            "w": lambda: record.write(write_vals),
            "c": lambda: env[model].create(create_vals(side)),
            "d": record.unlink,
        }
        cell, refusals = "", []
        for letter, wanted in zip(OPERATIONS, expected, strict=True):
            if wanted == ".":
                cell += "."
                continue
            error = self._attempt(operations[letter])
            cell += "-" if error else letter
            if error:
                refusals.append(f"{letter}: {type(error).__name__}: {error.args[0][:120]}")
        return cell, refusals

    # --- the tests -----------------------------------------------------------------
    def test_fixtures_work_for_the_superuser(self):
        """Every operation succeeds without access checks, so that a refusal in the
        matrix is the security model's, not a broken fixture."""
        failures = []
        cases = self._cases("admin")
        for model in EXPECTED:
            for side in (OWN, OTHER):
                if EXPECTED[model]["admin"][side] is None:
                    continue
                mask = "r..." if model in READ_ONLY_MODELS else "rwcd"
                if model.endswith(".wizard") and side == OTHER:
                    mask = "rw.d"
                cell, refusals = self._cell(cases[model], self.env, side, mask)
                if cell != mask:
                    failures.append(f"{model} side {side}: {cell} {refusals}")
        self.assertFalse(failures, "\n".join(failures))

    def test_access_matrix(self):
        mismatches, table = [], []
        cases = {role: self._cases(role) for role in ROLES}
        for model, rows in EXPECTED.items():
            for role in ROLES:
                env = self.env(user=self.users[role])
                actual = []
                for side, expected in enumerate(rows[role]):
                    if expected is None:
                        actual.append(None)
                        continue
                    cell, refusals = self._cell(cases[role][model], env, side, expected)
                    actual.append(cell)
                    if cell != expected:
                        branch = ("own branch", "other branch")[side]
                        mismatches.append(
                            f"{model} / {role} / {branch}: expected {expected}, got {cell}"
                            + "".join(f"\n    {refusal}" for refusal in refusals)
                        )
                table.append(f"{model:32} {role:10} {actual[OWN]} {actual[OTHER] or ''}")
        _logger.info("Access matrix (own branch, other branch):\n%s", "\n".join(table))
        self.assertFalse(
            mismatches,
            f"{len(mismatches)} cells of the access matrix differ:\n" + "\n".join(mismatches),
        )

    def test_roles_do_not_make_app_administrators(self):
        """The dealership roles give project user rights; only the dealership's
        administrator administers projects. New staff created from the user
        template do not inherit Project or Fleet administration either."""
        project_admin = "project.group_project_manager"
        fleet_admin = "fleet.fleet_group_manager"
        template = self.env.ref("base.default_user")
        self.assertNotIn(self.env.ref(project_admin), template.groups_id)
        self.assertNotIn(self.env.ref(fleet_admin), template.groups_id)
        operator = self.env["res.users"].create(
            {"name": "Новый Оператор", "login": "matrix_new_operator"}
        )
        operator.groups_id = [Command.link(self.env.ref("dealer_base.group_dealer_operator").id)]
        staff = [operator, *(self.users[role] for role in ("operator", "consultant", "supervisor"))]
        for user in staff:
            with self.subTest(user=user.login):
                self.assertTrue(user.has_group("project.group_project_user"))
                self.assertFalse(user.has_group(project_admin))
                self.assertFalse(user.has_group(fleet_admin))
        self.assertTrue(self.users["admin"].has_group(project_admin))
        # The demo staff, created before Project was installed, lost what Odoo
        # handed every existing employee from the template.
        for login in ("operator", "consultant", "advisor", "supervisor"):
            user = self.env.ref(f"dealer_base.user_{login}", raise_if_not_found=False)
            if not user:
                continue
            with self.subTest(demo=login):
                self.assertFalse(user.has_group(project_admin))
                self.assertFalse(user.has_group(fleet_admin))
                task = self.tasks[OWN].with_user(user)
                with self.assertRaises(AccessError):
                    task.project_id.unlink()
                if login != "supervisor":
                    with self.assertRaises(AccessError):
                        task.unlink()
        integrator = self.env.ref("dealer_base.user_integrator", raise_if_not_found=False)
        if integrator:
            self.assertTrue(integrator.has_group(project_admin))
