"""RDP open to the Internet, a subnet without an NSG, a VM with its own public IP, no flow logs."""

from pulumi_azure_native import network

nsg = network.NetworkSecurityGroup(
    "jump",
    resource_group_name="rg-net",
    location="eastus2",
    security_rules=[
        network.SecurityRuleArgs(
            name="rdp",
            priority=100,
            direction="Inbound",
            access="Allow",
            protocol="Tcp",
            source_address_prefix="*",
            source_port_range="*",
            destination_address_prefix="*",
            destination_port_range="3389",
        )
    ],
    tags={"dataClassification": "internal", "owner": "net", "environment": "prod"},
)
network.VirtualNetwork(
    "flat",
    resource_group_name="rg-net",
    location="eastus2",
    address_space=network.AddressSpaceArgs(address_prefixes=["10.50.0.0/16"]),
    subnets=[network.SubnetArgs(name="servers", address_prefix="10.50.1.0/24")],
    tags={"dataClassification": "internal", "owner": "net", "environment": "prod"},
)
ip = network.PublicIPAddress(
    "vm-ip",
    resource_group_name="rg-net",
    location="eastus2",
    sku=network.PublicIPAddressSkuArgs(name="Standard"),
    public_ip_allocation_method="Static",
    tags={"dataClassification": "internal", "owner": "net", "environment": "prod"},
)
network.NetworkInterface(
    "vm-nic",
    resource_group_name="rg-net",
    location="eastus2",
    ip_configurations=[
        network.NetworkInterfaceIPConfigurationArgs(name="ip", public_ip_address=network.PublicIPAddressArgs(id=ip.id))
    ],
    tags={"dataClassification": "internal", "owner": "net", "environment": "prod"},
)
