"""Checks of a template's placeholders before it is saved: a syntax error or a field
the document does not have would otherwise surface as a failed message at 20:00."""

import ast
import re

from lxml import etree

_INLINE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_QWEB_EXPRESSION_ATTRS = re.compile(r"^t-(out|esc|raw|if|elif|foreach|att-.+|value|set)$")


def _position(text, index):
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def _object_paths(tree):
    """Attribute chains starting at ``object``: object.partner_id.name → [partner_id, name]."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain = []
            current = node
            while isinstance(current, ast.Attribute):
                chain.append(current.attr)
                current = current.value
            if isinstance(current, ast.Name) and current.id == "object":
                yield list(reversed(chain))


def _unknown_name(model, chain):
    """The first name of ``chain`` that ``model`` has neither as field nor as attribute."""
    for name in chain:
        field = model._fields.get(name)
        if field is None:
            return None if hasattr(type(model), name) else name
        if not field.relational:
            return None
        model = model.env[field.comodel_name]
    return None


def _expression_errors(env, model, expression, text, index, *, label):
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        line, column = _position(text, index)
        return [
            env._(
                "%(label)s: syntax error in «%(expr)s» at line %(line)s, column %(column)s: "
                "%(msg)s",
                label=label,
                expr=expression.strip(),
                line=line,
                column=column + (error.offset or 0),
                msg=error.msg,
            )
        ]
    errors = []
    for chain in _object_paths(tree):
        unknown = _unknown_name(model, chain)
        if unknown:
            line, column = _position(text, index)
            errors.append(
                env._(
                    "%(label)s: unknown placeholder «%(expr)s» at line %(line)s, column "
                    "%(column)s: %(model)s has no field «%(name)s».",
                    label=label,
                    expr=expression.strip(),
                    line=line,
                    column=column,
                    model=model._description,
                    name=unknown,
                )
            )
    return errors


def template_errors(env, model_name, text, label, engine="inline_template"):
    """Clear messages for every syntax error or unknown placeholder of ``text``."""
    if not text or model_name not in env:
        return []
    model = env[model_name]
    errors = []
    if engine == "qweb":
        try:
            root = etree.fromstring(f"<div>{text}</div>")
        except etree.XMLSyntaxError as error:
            line, column = error.position
            return [
                env._(
                    "%(label)s: the HTML is not well formed at line %(line)s, column "
                    "%(column)s: %(msg)s",
                    label=label,
                    line=line,
                    column=column,
                    msg=error.msg,
                )
            ]
        for element in root.iter():
            for name, value in element.attrib.items():
                if _QWEB_EXPRESSION_ATTRS.match(name):
                    index = max(text.find(value), 0)
                    errors += _expression_errors(env, model, value, text, index, label=label)
        text_parts = "".join(root.itertext())
        for match in _INLINE.finditer(text_parts):
            errors += _expression_errors(
                env, model, match.group(1), text_parts, match.start(), label=label
            )
        return errors
    unclosed = text.count("{{") - text.count("}}")
    if unclosed:
        index = text.rfind("{{") if unclosed > 0 else text.rfind("}}")
        line, column = _position(text, index)
        return [
            env._(
                "%(label)s: a placeholder is not closed at line %(line)s, column %(column)s.",
                label=label,
                line=line,
                column=column,
            )
        ]
    for match in _INLINE.finditer(text):
        errors += _expression_errors(env, model, match.group(1), text, match.start(), label=label)
    return errors
