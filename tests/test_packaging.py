"""The integrator's ways in: the Docker image, its production configuration, the
reverse proxy example and the manifests."""

import ast
import configparser
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from passlib.context import CryptContext

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
# Passwords that ship with Odoo, its images and this repository's local odoo.conf.
KNOWN_PASSWORDS = {"", "admin", "odoo", "dealer-admin", "password", "changeme"}


def production_options():
    # Odoo reads its configuration with RawConfigParser: no interpolation of %d.
    parser = configparser.RawConfigParser()
    parser.read_string((DOCKER / "odoo.conf").read_text())
    return dict(parser["options"])


def test_compose_file_parses_with_odoo_and_postgres_16():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    services = compose["services"]
    assert services["db"]["image"] == "postgres:16"
    odoo = services["odoo"]
    assert odoo["build"]["dockerfile"] == "docker/Dockerfile"
    mounts = {volume.split(":")[0]: volume.split(":")[1] for volume in odoo["volumes"]}
    assert mounts["../addons"] == "/mnt/extra-addons"
    # The production configuration, not the local one with its database manager.
    assert mounts["./odoo.conf"] == "/etc/odoo/dealer.conf"
    assert "../odoo.conf" not in mounts
    assert "db" in odoo["depends_on"]
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert dockerfile.startswith("# ") and "FROM odoo:18" in dockerfile
    assert "COPY docker/odoo.conf /etc/odoo/dealer.conf" in dockerfile
    assert 'ENTRYPOINT ["/usr/local/bin/dealer-entrypoint.sh"]' in dockerfile
    assert 'CMD ["odoo"]' in dockerfile


def test_compose_publishes_odoo_to_the_local_proxy_only_and_commits_no_secret():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    odoo, db = compose["services"]["odoo"], compose["services"]["db"]
    assert sorted(odoo["ports"]) == ["127.0.0.1:8069:8069", "127.0.0.1:8072:8072"]
    assert "ports" not in db
    for value in (odoo["environment"]["PASSWORD"], db["environment"]["POSTGRES_PASSWORD"]):
        assert value.startswith("${DEALER_DB_PASSWORD:?"), value
    assert odoo["environment"]["ODOO_MASTER_PASSWORD"] == "${ODOO_MASTER_PASSWORD:-}"


def test_production_config_locks_the_database_manager_and_sizes_the_server():
    options = production_options()
    assert options["list_db"] == "False"
    assert options["proxy_mode"] == "True"
    assert options["without_demo"] == "all"
    assert options["dbfilter"] and re.match(options["dbfilter"], options["db_name"])
    assert options["gevent_port"] == "8072"
    assert int(options["workers"]) > 0
    assert int(options["max_cron_threads"]) >= 1
    soft, hard = int(options["limit_memory_soft"]), int(options["limit_memory_hard"])
    assert 0 < soft < hard
    assert 0 < int(options["limit_time_cpu"]) < int(options["limit_time_real"])
    assert int(options["limit_request"]) > 0
    # Every process may open db_maxconn connections: stay under PostgreSQL's 100.
    processes = int(options["workers"]) + int(options["max_cron_threads"]) + 1
    assert processes * int(options["db_maxconn"]) < 100
    # The master password is set by the entrypoint, never committed.
    assert "admin_passwd" not in options


def test_the_local_config_keeps_the_database_manager_for_demos():
    parser = configparser.RawConfigParser()
    parser.read_string((ROOT / "odoo.conf").read_text())
    assert parser["options"]["list_db"] == "True"
    # ./dev test and the e2e server run Odoo threaded: workers would fork.
    assert int(parser["options"].get("workers", "0")) == 0


def test_nginx_example_routes_the_websocket_to_gevent_and_forwards_the_client():
    text = (DOCKER / "nginx.conf").read_text()
    upstreams = dict(re.findall(r"upstream (\w+) \{\s*server ([\d.:]+);", text))
    locations = dict(re.findall(r"location (\S+) \{(.*?)\n    \}", text, re.S))
    assert set(locations) == {"/websocket", "/"}
    websocket, root = locations["/websocket"], locations["/"]
    assert upstreams[re.search(r"proxy_pass http://(\w+);", websocket)[1]].endswith(":8072")
    assert upstreams[re.search(r"proxy_pass http://(\w+);", root)[1]].endswith(":8069")
    assert "proxy_set_header Upgrade $http_upgrade;" in websocket
    assert "proxy_set_header Connection $connection_upgrade;" in websocket
    for block in (websocket, root):
        for header in ("X-Forwarded-Host", "X-Forwarded-For", "X-Forwarded-Proto"):
            assert f"proxy_set_header {header} " in block, header


def run_entrypoint(tmp_path, **env):
    """Run docker/entrypoint.sh outside a container: the next entrypoint is `echo`."""
    conf = tmp_path / "odoo.conf"
    environ = {
        "PATH": os.environ["PATH"],
        "PYTHON": sys.executable,
        "ODOO_RC": str(conf),
        "DEALER_CONF_TEMPLATE": str(DOCKER / "odoo.conf"),
        "DEALER_MASTER_PASSWORD_STORE": str(tmp_path / "master_password"),
        "DEALER_NEXT_ENTRYPOINT": "echo",
        # As compose.yaml passes them when the integrator sets neither.
        "ODOO_MASTER_PASSWORD": "",
        "ODOO_MASTER_PASSWORD_FILE": "",
        **env,
    }
    done = subprocess.run(
        ["bash", str(DOCKER / "entrypoint.sh"), "odoo", "--stop-after-init"],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "odoo --stop-after-init"
    parser = configparser.RawConfigParser()
    parser.read_string(conf.read_text())
    return dict(parser["options"]), done.stderr


def verify(password, stored_hash):
    # Odoo's own check (odoo/tools/config.py): pbkdf2_sha512, plain text deprecated.
    context = CryptContext(["pbkdf2_sha512", "plaintext"], deprecated=["plaintext"])
    return stored_hash.startswith("$pbkdf2-sha512$") and context.verify(password, stored_hash)


def test_entrypoint_generates_a_master_password_once_and_stores_only_its_hash(tmp_path):
    options, stderr = run_entrypoint(tmp_path)
    store = tmp_path / "master_password"
    password = store.read_text().strip()
    assert len(password) >= 32 and password not in KNOWN_PASSWORDS
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "odoo.conf").stat().st_mode) == 0o600
    assert password not in stderr and password not in (tmp_path / "odoo.conf").read_text()
    assert verify(password, options["admin_passwd"])
    assert not any(verify(known, options["admin_passwd"]) for known in KNOWN_PASSWORDS)
    assert options["list_db"] == "False" and options["workers"] == "4"

    # A restart keeps the password (fresh salt, same secret).
    options_again, stderr_again = run_entrypoint(tmp_path)
    assert store.read_text().strip() == password and "generated" not in stderr_again
    assert verify(password, options_again["admin_passwd"])


def test_another_container_generates_another_master_password(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    run_entrypoint(first)
    run_entrypoint(second)
    assert (first / "master_password").read_text() != (second / "master_password").read_text()


@pytest.mark.parametrize("way", ["ODOO_MASTER_PASSWORD", "ODOO_MASTER_PASSWORD_FILE"])
def test_entrypoint_takes_a_given_master_password_and_writes_it_nowhere(tmp_path, way):
    secret = "Secret-from-the-integrator-42"
    value = secret
    if way == "ODOO_MASTER_PASSWORD_FILE":
        value = tmp_path / "secret"
        value.write_text(secret + "\n")
    options, _stderr = run_entrypoint(tmp_path, **{way: str(value)})
    assert verify(secret, options["admin_passwd"])
    assert not (tmp_path / "master_password").exists()


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
