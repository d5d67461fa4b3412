"""A program that puts literal credentials where programs do (a SQL admin password, a Key Vault secret value,
an ``AccountKey=`` connection string in tags) and untrusted text where a report prints it (a resource name
that is a spreadsheet formula, HTML and an escape sequence; a tag with Markdown table syntax).

No output of the preview may contain any of the credentials, and every format must neutralise the text.
"""

from pulumi_azure_native import keyvault, resources, sql, storage

tags = {
    "dataClassification": "phi",
    "owner": "platform",
    "environment": "dev",
    "conn": "DefaultEndpointsProtocol=https;AccountName=stleak;AccountKey=LEAKED+KEY/abc123==;EndpointSuffix=core.windows.net",
}
group = resources.ResourceGroup("rg", resource_group_name="rg-leak", location="eastus2", tags=tags)
sql.Server(
    "sql",
    resource_group_name=group.name,
    server_name="sql-leak",
    location="eastus2",
    administrator_login="sqladmin",
    administrator_login_password="SQL-Literal-Pa55word-7731",
    tags=tags,
)
keyvault.Secret(
    "secret",
    resource_group_name=group.name,
    vault_name="kv-leak",
    secret_name="db",
    properties=keyvault.SecretPropertiesArgs(value="KV-Literal-Secret-Value-4419"),
)
storage.StorageAccount(
    '=HYPERLINK("http://evil.example")|<script>alert(1)</script>\x1b[31m',
    resource_group_name=group.name,
    account_name="stinject01",
    location="eastus2",
    kind="StorageV2",
    sku={"name": "Standard_ZRS"},
    tags={**tags, "note": "| injected | row |\n# heading <img src=x onerror=alert(1)> `code`"},
)
