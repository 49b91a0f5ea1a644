import ast
import logging

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

NUMBER_TYPES = ("float", "monetary", "integer")
DATE_TYPES = ("date", "datetime")

_logger = logging.getLogger(__name__)


class DealerSegmentationSource(models.Model):
    """Where a direction's documents — what clients bought — come from: records of a
    model matching a domain, each giving a client, an amount and a date. Checked
    when saved, so that the nightly run never meets a missing model or field."""

    _name = "dealer.segmentation.source"
    _description = "Client Document Source"
    _inherit = ["dealer.checked.mixin"]
    _order = "direction_id, sequence, id"

    name = fields.Char(required=True)
    direction_id = fields.Many2one(
        "dealer.direction", required=True, ondelete="cascade", index=True
    )
    # Technical names rather than links to ir.model/ir.model.fields, which only Odoo
    # administrators may read; they are checked against the registry when saved.
    model_name = fields.Char(string="Model", required=True, help="E.g. project.task.")
    domain = fields.Char(
        default="[]",
        required=True,
        help="Which records of the model are documents, as an Odoo domain.",
    )
    partner_field = fields.Char(string="Client Field", required=True, default="partner_id")
    amount_field = fields.Char(required=True)
    date_field = fields.Char(required=True)
    restrict_to_project = fields.Boolean(
        string="Only the Direction's Project",
        help="Count only records of the direction's project (the model needs a project).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    @api.constrains(
        "model_name",
        "domain",
        "partner_field",
        "amount_field",
        "date_field",
        "restrict_to_project",
    )
    def _check_source(self):
        for source in self:
            source._check_model_and_fields()

    def _check_model_and_fields(self):
        env = self.env
        model_name = self.model_name
        model = env.get(model_name) if model_name else None
        if model is None or model._abstract or model._transient or not model._auto:
            raise ValidationError(
                env._(
                    "%(model)s cannot give documents: it is not a stored model.", model=model_name
                )
            )
        expected = (
            (self.partner_field, ("many2one",), env._("Client Field")),
            (self.amount_field, NUMBER_TYPES, env._("Amount Field")),
            (self.date_field, DATE_TYPES, env._("Date Field")),
        )
        for name, types, label in expected:
            field = model._fields.get(name)
            valid = (
                field is not None
                and field.store
                and field.type in types
                and (field.type != "many2one" or field.comodel_name == "res.partner")
            )
            if not valid:
                raise ValidationError(
                    env._(
                        "%(label)s: %(field)s is not a stored field of %(model)s of the right "
                        "type (%(types)s).",
                        label=label,
                        field=name,
                        model=model_name,
                        types=", ".join(types),
                    )
                )
        project = model._fields.get("project_id")
        if self.restrict_to_project and not (
            project and project.store and project.comodel_name == "project.project"
        ):
            raise ValidationError(
                env._(
                    "%(model)s has no project: it cannot be restricted to the direction's project.",
                    model=model_name,
                )
            )
        domain = self._parse_domain()
        try:
            # sudo: only the domain's fields are checked, not anyone's records.
            model.sudo()._where_calc(domain)
        except (ValueError, TypeError, KeyError, AssertionError, NotImplementedError) as error:
            raise ValidationError(
                env._(
                    "The domain of %(name)s is not valid: %(error)s",
                    name=self.name,
                    error=error,
                )
            ) from error

    def _parse_domain(self):
        try:
            domain = ast.literal_eval(self.domain or "[]")
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as error:
            raise ValidationError(
                self.env._(
                    "The domain of %(name)s is not a list of conditions: %(domain)s",
                    name=self.name,
                    domain=self.domain,
                )
            ) from error
        if not isinstance(domain, list):
            raise ValidationError(
                self.env._(
                    "The domain of %(name)s is not a list of conditions: %(domain)s",
                    name=self.name,
                    domain=self.domain,
                )
            )
        return domain

    def _documents_sql(self, partner_ids=None):
        """One SELECT of ``(direction_id, partner_id, amount, doc_date, is_utc)`` for
        this source's documents, of the clients ``partner_ids`` (all when None), or
        None when it has nothing to give (a project source of a direction without a
        project)."""
        self.ensure_one()
        try:
            self._check_model_and_fields()
        except ValidationError as error:
            # A module giving the model or a field was uninstalled since: skip the
            # source rather than stop the whole run.
            _logger.warning("Document source %s skipped: %s", self.display_name, error)
            return None
        # sudo: a client's status counts all their documents, not only those the user
        # who triggered the recomputation may read; only the status is shown to them.
        model = self.env[self.model_name].sudo()
        partner_field = self.partner_field
        domain = [*self._parse_domain(), (partner_field, "!=", False)]
        if self.restrict_to_project:
            if not self.direction_id.project_id:
                return None
            domain.append(("project_id", "=", self.direction_id.project_id.id))
        if partner_ids is not None:
            domain.append((partner_field, "in", list(partner_ids)))
        query = model._search(domain)
        alias = query.table
        date_sql = model._field_to_sql(alias, self.date_field, query)
        return query.select(
            SQL(
                "%s::int4 AS direction_id, %s AS partner_id, "
                "COALESCE(%s, 0)::numeric AS amount, %s::timestamp AS doc_date, %s AS is_utc",
                self.direction_id.id,
                model._field_to_sql(alias, partner_field, query),
                model._field_to_sql(alias, self.amount_field, query),
                date_sql,
                model._fields[self.date_field].type == "datetime",
            )
        )

    @api.model
    def _default_vals(self, direction):
        """The default source of ``direction``: its project's done tasks with a client."""
        return {
            "name": self.env._("Done tasks"),
            "direction_id": direction.id,
            "model_name": "project.task",
            "domain": "[('state', '=', '1_done')]",
            "partner_field": "partner_id",
            "amount_field": "dealer_amount",
            "date_field": "dealer_done_date",
            "restrict_to_project": True,
        }
