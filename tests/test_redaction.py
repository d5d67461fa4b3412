"""No secret in any artifact: console, stderr, --json, every report format and SARIF.

Credentials are masked by where they sit (secret-bearing properties on both providers, in any casing,
values the SDK marked secret, ``AccountKey=``-style pairs inside any string, PEM private keys), and
every value found that way is scrubbed from all text a pack or program produced, in every spelling a
format gives it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from landing_zone.preview.redact import (
    MASK,
    SECRET_SIG,
    SECRET_VALUE_SIG,
    UNKNOWN,
    Redactor,
    config_secrets,
    is_secret_property,
    mask_properties,
    mask_string,
    one_line,
    secret_values,
    strip_controls,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SQL_PASSWORD = "SQL-Literal-Pa55word-7731"
KEY_VAULT_SECRET = "KV-Literal-Secret-Value-4419"
ACCOUNT_KEY = "LEAKED+KEY/abc123=="
SECRETS = (SQL_PASSWORD, KEY_VAULT_SECRET, ACCOUNT_KEY, "LEAKED+KEY")


class TestStructuralMasking:
    def test_sql_admin_password_on_both_providers_and_any_casing(self) -> None:
        native = mask_properties({"administratorLoginPassword": "p4ss-word!", "administratorLogin": "admin"})
        classic = mask_properties({"administrator_login_password": "p4ss-word!"}, "azure:mssql/server:Server")
        shouted = mask_properties({"properties": {"AdministratorLoginPassword": "p4ss-word!"}})
        assert native == {"administratorLoginPassword": MASK, "administratorLogin": "admin"}
        assert classic == {"administrator_login_password": MASK}
        assert shouted == {"properties": {"AdministratorLoginPassword": MASK}}

    def test_key_vault_secret_value_on_both_providers_but_not_other_values(self) -> None:
        native = mask_properties(
            {"properties": {"value": "s3cr3t-value", "contentType": "text"}}, "azure-native:keyvault:Secret"
        )
        classic = mask_properties({"value": "s3cr3t-value"}, "azure:keyvault/secret:Secret")
        versioned = mask_properties({"properties": {"value": "s3cr3t-value"}}, "azure-native:keyvault/v20230701:Secret")
        tag_like = mask_properties({"tags": [{"key": "env", "value": "prod"}]}, "azure-native:storage:StorageAccount")
        assert native == {"properties": {"value": MASK, "contentType": "text"}}
        assert classic == {"value": MASK}
        assert versioned == {"properties": {"value": MASK}}
        assert tag_like == {"tags": [{"key": "env", "value": "prod"}]}

    def test_keys_tokens_and_connection_strings_anywhere(self) -> None:
        masked = mask_properties(
            {
                "primaryKey": "k1",
                "keys": ["a", "b"],
                "sasToken": "?sv=1&sig=abc",
                "siteConfig": {"connectionStrings": [{"name": "db", "connectionString": "Server=x;Password=pw123"}]},
                "storageAccountPrimaryConnectionString": "DefaultEndpointsProtocol=https;AccountKey=abc",
            }
        )
        assert masked == {
            "primaryKey": MASK,
            "keys": [MASK, MASK],
            "sasToken": MASK,
            "siteConfig": {"connectionStrings": [{"name": MASK, "connectionString": MASK}]},
            "storageAccountPrimaryConnectionString": MASK,
        }

    def test_credential_pairs_inside_any_string_tags_included(self) -> None:
        tags = {"conn": f"DefaultEndpointsProtocol=https;AccountName=st;AccountKey={ACCOUNT_KEY};EndpointSuffix=x"}
        assert mask_properties({"tags": tags}) == {
            "tags": {"conn": f"DefaultEndpointsProtocol=https;AccountName=st;AccountKey={MASK};EndpointSuffix=x"}
        }
        assert mask_string("Endpoint=sb://x/;SharedAccessKeyName=root;SharedAccessKey=Zm9v") == (
            f"Endpoint=sb://x/;SharedAccessKeyName=root;SharedAccessKey={MASK}"
        )
        assert mask_string("Server=tcp:x;User ID=a;Password=hunter2;") == f"Server=tcp:x;User ID=a;Password={MASK};"
        assert mask_string("https://st.blob.core.windows.net/c?sv=2022&sig=AbC%2B") == (
            f"https://st.blob.core.windows.net/c?sv=2022&sig={MASK}"
        )

    def test_prose_naming_a_credential_pair_is_left_readable(self) -> None:
        prose = "a credential assignment (such as AccountKey= or Password=); use Key Vault"
        assert mask_string(prose) == prose
        assert mask_string("Password=pa(ss)w,rd;") == f"Password={MASK};"

    def test_pem_private_keys(self) -> None:
        pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAbCd\n-----END RSA PRIVATE KEY-----"
        assert mask_string(f"key: {pem} end") == f"key: {MASK} end"
        assert mask_properties({"sshPrivateKey": pem}) == {"sshPrivateKey": MASK}
        assert pem in set(secret_values({"note": pem}))

    def test_wire_secrets_keep_their_marker_and_lose_their_value(self) -> None:
        envelope = {SECRET_SIG: SECRET_VALUE_SIG, "value": "from-config"}
        assert mask_properties({"anything": envelope}) == {"anything": {SECRET_SIG: SECRET_VALUE_SIG, "value": MASK}}
        assert set(secret_values({"anything": envelope})) == {"from-config"}

    def test_unknowns_booleans_and_missing_values_are_not_secrets(self) -> None:
        assert mask_properties({"password": UNKNOWN, "adminPassword": None, "clientSecret": True}) == {
            "password": UNKNOWN,
            "adminPassword": None,
            "clientSecret": True,
        }
        assert not is_secret_property("passwordAuth")
        assert not is_secret_property("allowSharedKeyAccess")
        assert not is_secret_property("keyVaultSecretId")
        assert is_secret_property("sqlAdminPassword")


class TestScrubbing:
    def test_every_known_value_is_scrubbed_from_any_text_in_every_spelling(self) -> None:
        redactor = Redactor(['a<b&c"d|e-secret'])
        assert redactor.scrub('pack said a<b&c"d|e-secret') == f"pack said {MASK}"
        assert redactor.scrub("html a&lt;b&amp;c&quot;d|e-secret") == f"html {MASK}"
        assert redactor.scrub('json a<b&c\\"d|e-secret') == f"json {MASK}"
        assert redactor.scrub('csv a<b&c""d|e-secret') == f"csv {MASK}"
        assert redactor.scrub('md a<b&c"d\\|e-secret') == f"md {MASK}"

    def test_short_secrets_are_scrubbed_as_whole_words_only(self) -> None:
        redactor = Redactor(["abcd"])
        assert redactor.scrub("abcd and abcdef") == f"{MASK} and abcdef"

    def test_tiny_or_common_values_are_not_scrubbed_from_text(self) -> None:
        redactor = Redactor(["90", "true", "Disabled"])
        assert redactor.scrub("retention 90, enabled = true, Disabled") == "retention 90, enabled = true, Disabled"

    def test_stack_config_secrets_by_marking_name_or_nested_field(self) -> None:
        values = {
            "proj:marked": "marked-secret-value",
            "proj:dbPassword": "plain-but-named",
            "proj:db": '{"host": "h", "adminPassword": "nested-secret"}',
            "proj:region": "eastus2",
        }
        assert sorted(config_secrets(values, {"proj:marked"})) == [
            "marked-secret-value",
            "nested-secret",
            "plain-but-named",
        ]

    def test_scrub_data_covers_keys_and_nested_values(self) -> None:
        redactor = Redactor(["top-secret-1"])
        assert redactor.scrub_data({"top-secret-1": ["x top-secret-1"]}) == {MASK: [f"x {MASK}"]}


def test_terminal_text_loses_escape_sequences_controls_and_bidi_overrides() -> None:
    hostile = "a\x1b[31mred\x1b[0m\x1b]8;;http://evil\x07link\x1b]8;;\x07\x07\x00\u202eevil\r\nb"
    assert strip_controls(hostile) == "aredlinkevil\nb"
    assert one_line("x\ny\r\nz") == "x y z"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The leaky program and a pack that quotes its inputs, through the CLI: every stream and file it writes."""
    folder = tmp_path_factory.mktemp("leak")
    files = {name: folder / name for name in ("out.json", "report.md", "report.html", "report.csv", "report.sarif")}
    texts: dict[str, str] = {}
    for index, report in enumerate(["report.md", "report.html", "report.csv", "report.sarif"]):
        command = [
            sys.executable,
            "-m",
            "landing_zone.cli",
            "preview",
            str(DATA / "leaky-program"),
            "--policy-pack",
            str(ROOT / "policy_pack"),
            "--policy-pack",
            str(DATA / "leaky-pack"),
            "--report",
            str(files[report]),
        ]
        if index == 0:
            command += ["--json", str(files["out.json"])]
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300, check=False)
        assert done.returncode in (1, 3), done.stderr
        texts[f"stdout ({report})"] = done.stdout
        texts[f"stderr ({report})"] = done.stderr
    json_stdout = subprocess.run(
        [sys.executable, "-m", "landing_zone.cli", "preview", str(DATA / "leaky-program"), "--json", "-"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    texts["stdout (--json -)"] = json_stdout.stdout
    texts["stderr (--json -)"] = json_stdout.stderr
    for name, path in files.items():
        texts[name] = path.read_text(encoding="utf-8")
    return texts


@pytest.mark.subprocess
def test_no_credential_reaches_any_stream_or_file(outputs: dict[str, str]) -> None:
    leaks = [(name, secret) for name, text in outputs.items() for secret in SECRETS if secret in text]
    assert leaks == []
    assert "AccountKey=[secret]" in outputs["out.json"]
    assert MASK in outputs["report.md"] and MASK in outputs["report.sarif"]


@pytest.mark.subprocess
def test_json_masks_inputs_and_pack_messages(outputs: dict[str, str]) -> None:
    document = json.loads(outputs["out.json"])
    server = next(r for r in document["resources"] if r["type"] == "azure-native:sql:Server")
    secret = next(r for r in document["resources"] if r["type"] == "azure-native:keyvault:Secret")
    assert server["inputs"]["administratorLoginPassword"] == MASK
    assert server["inputs"]["administratorLogin"] == "sqladmin"
    assert secret["inputs"]["properties"]["value"] == MASK
    quoted = [v["message"] for v in document["policyViolations"] if v["policy"] == "quotes-inputs"]
    assert any(f"the secret is {MASK}" in message for message in quoted)
    assert any(f"saw {MASK}" in message for message in quoted)
    assert not any("\x1b" in message for message in quoted)


@pytest.mark.subprocess
def test_console_has_no_escape_sequences(outputs: dict[str, str]) -> None:
    for name, text in outputs.items():
        if name.startswith(("stdout", "stderr")):
            assert "\x1b" not in text, name


@pytest.mark.subprocess
def test_a_pack_crash_quoting_an_input_prints_no_secret() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "landing_zone.cli",
            "preview",
            str(DATA / "leaky-program"),
            "--policy-pack",
            str(DATA / "crashing-pack"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2
    assert f"cannot handle {MASK}" in done.stderr
    assert not any(secret in done.stdout + done.stderr for secret in SECRETS)


@pytest.mark.subprocess
def test_a_program_failure_quoting_a_credential_prints_no_secret(tmp_path: Path) -> None:
    program = tmp_path / "failing"
    program.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml"):
        (program / name).write_text((DATA / "leaky-program" / name).read_text())
    source = (DATA / "leaky-program" / "__main__.py").read_text()
    (program / "__main__.py").write_text(source + f'\nraise ValueError("login {SQL_PASSWORD} refused")\n')
    for flags in ([], ["--debug"]):
        done = subprocess.run(
            [sys.executable, "-m", "landing_zone.cli", "preview", str(program), *flags],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
            check=False,
        )
        assert done.returncode == 2
        assert f"login {MASK} refused" in done.stderr
        assert not any(secret in done.stdout + done.stderr for secret in SECRETS), flags
