"""deploy/: the files a server is set up from agree with the settings they depend on, so
that a change to an upload limit or a forwarded header cannot leave them behind."""

import math
import os
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
MEGABYTE = 1024 * 1024


def nginx_site() -> str:
    return (DEPLOY / "nginx" / "waymark.conf").read_text()


def body_limits() -> dict[str, int]:
    """client_max_body_size in megabytes, by where it is set: the server, or a location."""
    limits, where = {}, "server"
    for line in nginx_site().splitlines():
        line = line.split("#")[0].strip()
        if location := re.match(r"location (\S+) \{", line):
            where = location.group(1)
        elif line == "}":
            where = "server"
        elif size := re.match(r"client_max_body_size (\d+)m;", line):
            limits[where] = int(size.group(1))
    return limits


def test_nginx_takes_one_evidence_file_and_its_form_everywhere():
    largest_file = math.ceil(settings.EVIDENCE_FILE_MAX_BYTES / MEGABYTE)
    assert body_limits()["server"] == largest_file + 1
    assert settings.UNIT_IMPORT_MAX_BYTES <= settings.EVIDENCE_FILE_MAX_BYTES


def test_nginx_takes_a_whole_evidence_upload_on_the_evidence_pages():
    largest_file = math.ceil(settings.EVIDENCE_FILE_MAX_BYTES / MEGABYTE)
    assert body_limits()["/portfolio/evidence/"] == settings.DATA_UPLOAD_MAX_NUMBER_FILES * largest_file + 1


def test_nginx_forwards_what_the_settings_believe():
    site = nginx_site()
    # SECURE_PROXY_SSL_HEADER, behind the TLS proxy.
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    # TRUSTED_PROXIES: the client's address appended to what came before.
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in site
    # ALLOWED_HOSTS is checked against the name the client asked for.
    assert "proxy_set_header Host $host;" in site
    assert "proxy_set_header X-Forwarded-Host $host;" in site
    assert "proxy_pass http://waymark;" in site
    assert "server 127.0.0.1:8000;" in site  # scripts/serve's BIND


def test_the_systemd_units_run_scripts_serve():
    web = (DEPLOY / "systemd" / "waymark-web.service").read_text()
    worker = (DEPLOY / "systemd" / "waymark-worker@.service").read_text()
    assert "ExecStart=/srv/waymark/scripts/serve web\n" in web
    assert "Type=notify" in web
    assert "ExecStart=/srv/waymark/scripts/serve worker\n" in worker
    assert re.search(r"^After=.*waymark-web\.service", worker, re.MULTILINE)


def test_nginx_passes_the_health_check_over_http_and_https_under_the_sites_own_name():
    site = nginx_site()
    health = reverse("operations:health")
    # On port 80 before the redirect, which takes only the rest, and on 443.
    assert site.count(f"location = {health} {{") == 2
    assert re.search(r"location / \{\s*return 301 https://", site)
    assert "\n    return 301" not in site  # no redirect for the whole port, which would come first
    assert site.count("proxy_set_header Host $server_name;") == 2
    assert any(re.search(pattern, health.lstrip("/")) for pattern in settings.SECURE_REDIRECT_EXEMPT)


def test_waymark_manage_runs_as_the_units_do():
    """deploy/waymark-manage runs manage.py with the user, folder and settings of the
    services, so that a command sees what they see."""
    manage = (DEPLOY / "waymark-manage").read_text()
    web = (DEPLOY / "systemd" / "waymark-web.service").read_text()
    for setting, option in (
        ("User", "--uid"),
        ("Group", "--gid"),
        ("WorkingDirectory", "--working-directory"),
        ("EnvironmentFile", "--property=EnvironmentFile"),
    ):
        (value,) = re.findall(rf"^{setting}=(.+)$", web, re.MULTILINE)
        assert f"{option}={value} " in manage, setting
    assert "--setenv=WAYMARK_ENVIRONMENT=production" in manage  # as scripts/serve sets it
    assert os.access(DEPLOY / "waymark-manage", os.X_OK)
