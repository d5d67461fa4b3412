"""An Azure SQL server with a SQL admin password, TLS 1.0, public access and a firewall open to all of Azure."""

import pulumi
from pulumi_azure_native import sql

server = sql.Server(
    "claims",
    server_name="sql-claims-01",
    resource_group_name="rg-claims",
    location="eastus2",
    administrator_login="sqladmin",
    administrator_login_password=pulumi.Output.secret("not-a-real-password-1!"),
    minimal_tls_version="1.0",
    public_network_access="Enabled",
    tags={"dataClassification": "phi", "owner": "claims", "environment": "prod"},
    opts=pulumi.ResourceOptions(protect=True),
)
sql.FirewallRule(
    "azure-services",
    server_name=server.name,
    resource_group_name="rg-claims",
    start_ip_address="0.0.0.0",
    end_ip_address="0.0.0.0",
)
