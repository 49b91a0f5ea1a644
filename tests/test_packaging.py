"""The integrator's ways in: the Docker compose file and the manifests."""

import ast
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_parses_with_odoo_and_postgres_16():
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    services = compose["services"]
    assert services["db"]["image"] == "postgres:16"
    odoo = services["odoo"]
    assert odoo["build"]["dockerfile"] == "docker/Dockerfile"
    mounts = {volume.split(":")[1] for volume in odoo["volumes"]}
    assert {"/mnt/extra-addons", "/etc/odoo/odoo.conf"} <= mounts
    assert "db" in odoo["depends_on"]
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert dockerfile.startswith("# ") and "FROM odoo:18" in dockerfile


def test_every_addon_is_an_installable_lgpl_odoo_18_module():
    addons = sorted(p.parent for p in (ROOT / "addons").glob("*/__manifest__.py"))
    assert addons, "no addon found"
    for addon in addons:
        manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
        assert manifest["version"].startswith("18.0."), addon.name
        assert manifest["license"] == "LGPL-3", addon.name
        assert manifest.get("installable", True), addon.name
        assert (addon / "i18n" / "ru.po").exists(), addon.name
        assert (addon / "readme" / "DESCRIPTION.md").exists(), addon.name
