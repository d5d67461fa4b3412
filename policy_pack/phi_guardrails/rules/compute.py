"""Virtual machines, scale sets and managed disks: encrypted at host and with customer-managed keys, no public disk
export, no password sign-in on Linux.

Types read: ``azure-native:compute:VirtualMachine``, ``:VirtualMachineScaleSet`` and ``:Disk`` (any API
version) and their classic ``azure:compute/*`` counterparts. Disk encryption sets are customer-managed by
definition; the stack rule ``cmk-key-protected-and-granted`` checks their key's vault.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/virtual-machines/disk-encryption#encryption-at-host---end-to-end-encryption-for-your-vm-data (securityProfile.encryptionAtHost)
- https://learn.microsoft.com/azure/virtual-machines/disk-encryption#customer-managed-keys (diskEncryptionSet)
- https://learn.microsoft.com/azure/virtual-machines/disks-enable-private-links-for-import-export-portal (networkAccessPolicy, publicNetworkAccess)
- https://learn.microsoft.com/azure/virtual-machines/linux/create-ssh-keys-detailed (disablePasswordAuthentication)

``vm-encryption-at-host`` is advisory by default: the disks themselves are encrypted at rest by Azure
(platform keys) and, under ``vm-disk-customer-managed-key``, with a customer-managed key; encryption at
host adds the temporary disk. It needs the ``EncryptionAtHost`` feature registered on the subscription and
a VM size that supports it, and cannot be combined with Azure Disk Encryption
(https://learn.microsoft.com/azure/virtual-machines/disk-encryption#encryption-at-host---end-to-end-encryption-for-your-vm-data;
Microsoft's comparison of the four options, which recommends it for new VMs:
https://learn.microsoft.com/training/modules/implement-disk-encryption-azure-virtual-machines/2-choose-disk-encryption-option).
The built-in policy
fc4d8e41 (default effect Audit) is in the Microsoft cloud security benchmark initiative, which accepts
Azure Disk Encryption instead (3dc5edcd, ca88aadc), and not in the HIPAA HITRUST initiative
(Azure/azure-policy, built-in-policies/policySetDefinitions). A pack config can make it mandatory.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.checks import all_of, must_be_false, must_be_set, must_be_true, must_equal, must_not_be_set
from phi_guardrails.framework import (
    Check,
    ResourceView,
    Target,
    entries,
    equals_ignoring_case,
    is_mapping,
    is_true,
)
from phi_guardrails.service_checks import any_of, field, first_of, service_rule

NATIVE_VM = ("azure-native:compute:VirtualMachine",)
NATIVE_SCALE_SET = ("azure-native:compute:VirtualMachineScaleSet",)
NATIVE_DISK = ("azure-native:compute:Disk",)
CLASSIC_LINUX = (
    "azure:compute/linuxVirtualMachine:LinuxVirtualMachine",
    "azure:compute/linuxVirtualMachineScaleSet:LinuxVirtualMachineScaleSet",
)
CLASSIC_WINDOWS = (
    "azure:compute/windowsVirtualMachine:WindowsVirtualMachine",
    "azure:compute/windowsVirtualMachineScaleSet:WindowsVirtualMachineScaleSet",
)
CLASSIC_FLEXIBLE = ("azure:compute/orchestratedVirtualMachineScaleSet:OrchestratedVirtualMachineScaleSet",)
CLASSIC_MACHINES = CLASSIC_LINUX + CLASSIC_WINDOWS + CLASSIC_FLEXIBLE
CLASSIC_DISK = ("azure:compute/managedDisk:ManagedDisk",)
#: The classic provider's deprecated machine resources (azurerm 2.x shapes, still in pulumi-azure 6): they cannot name
#: a disk encryption set, so only disks they attach (checked as managed disks) can be under a customer-managed key.
LEGACY_MACHINES = ("azure:compute/virtualMachine:VirtualMachine", "azure:compute/scaleSet:ScaleSet")
CMK_DISK_ENCRYPTION = ("EncryptionAtRestWithCustomerKey", "EncryptionAtRestWithPlatformAndCustomerKeys")
_NO_CMK = "disks are not encrypted with a customer-managed key"
_SCALE_SET_PROFILE = "virtualMachineProfile."


def _native_disks_cmk(prefix: str) -> Check:
    """The OS disk and every inline data disk name a disk encryption set (attached existing disks are checked as disks)."""

    def check(machine: ResourceView) -> Iterable[str]:
        os_disk = f"{prefix}storageProfile.osDisk"
        # A confidential VM names its set under managedDisk.securityProfile ("the customer managed disk encryption set
        # ... for Customer Managed Key encrypted ConfidentialVM OS Disk": VMDiskSecurityProfile,
        # https://learn.microsoft.com/python/api/azure-mgmt-compute/azure.mgmt.compute.models.vmdisksecurityprofile).
        if (
            not equals_ignoring_case(machine.get(f"{os_disk}.createOption"), "Attach")
            and not machine.has(f"{os_disk}.managedDisk.diskEncryptionSet.id")
            and not machine.has(f"{os_disk}.managedDisk.securityProfile.diskEncryptionSet.id")
        ):
            yield f"the OS disk is not encrypted with a customer-managed key ({os_disk}.managedDisk.diskEncryptionSet.id)"
        for index, disk in enumerate(entries(machine.get(f"{prefix}storageProfile.dataDisks"))):
            if not is_mapping(disk) or equals_ignoring_case(field(disk, "createOption"), "Attach"):
                continue
            if not field(disk, "managedDisk", "diskEncryptionSet", "id"):
                yield f"data disk {index} is not encrypted with a customer-managed key (dataDisks[{index}].managedDisk.diskEncryptionSet.id)"

    return check


def _classic_disks_cmk(machine: ResourceView) -> Iterable[str]:
    if not machine.has("osDisk.diskEncryptionSetId") and not machine.has("osDisk.secureVmDiskEncryptionSetId"):
        yield "the OS disk is not encrypted with a customer-managed key (osDisk.diskEncryptionSetId)"
    for index, disk in enumerate(entries(machine.get("dataDisks"))):
        if is_mapping(disk) and not field(disk, "diskEncryptionSetId"):
            yield f"data disk {index} is not encrypted with a customer-managed key (dataDisks[{index}].diskEncryptionSetId)"


def _legacy_disks_cmk(machine: ResourceView) -> Iterable[str]:
    replacement = (
        "use azure:compute LinuxVirtualMachine/WindowsVirtualMachine (or their scale sets) with diskEncryptionSetId"
    )
    os_disk = machine.first("storageOsDisk", "storageProfileOsDisk")
    if not equals_ignoring_case(field(os_disk, "createOption"), "Attach"):
        yield f"the OS disk cannot be encrypted with a customer-managed key on this deprecated resource type; {replacement}"
    for index, disk in enumerate(entries(machine.first("storageDataDisks", "storageProfileDataDisks"))):
        if is_mapping(disk) and not equals_ignoring_case(field(disk, "createOption"), "Attach"):
            yield f"data disk {index} cannot be encrypted with a customer-managed key on this deprecated resource type; {replacement}"


def _legacy_linux_keys_only(machine: ResourceView) -> Iterable[str]:
    if not machine.has("osProfileLinuxConfig"):
        return
    if not is_true(machine.get("osProfileLinuxConfig.disablePasswordAuthentication")):
        yield "password sign-in is allowed (osProfileLinuxConfig.disablePasswordAuthentication must be true)"
    if machine.has("osProfile.adminPassword"):
        yield "an administrator password is set (osProfile.adminPassword must not be set)"


def _native_linux_keys_only(prefix: str) -> Check:
    """Linux machines (linuxConfiguration present, or a Linux OS disk) must sign in with SSH keys only."""

    def check(machine: ResourceView) -> Iterable[str]:
        profile = f"{prefix}osProfile"
        linux = machine.has(f"{profile}.linuxConfiguration") or equals_ignoring_case(
            machine.get(f"{prefix}storageProfile.osDisk.osType"), "Linux"
        )
        if not linux or (
            not machine.has(profile)
            and equals_ignoring_case(machine.get(f"{prefix}storageProfile.osDisk.createOption"), "Attach")
        ):
            return  # an attached (specialized) OS disk brings its own sign-in settings; Azure takes no osProfile
        if not is_true(machine.get(f"{profile}.linuxConfiguration.disablePasswordAuthentication")):
            yield f"password sign-in is allowed ({profile}.linuxConfiguration.disablePasswordAuthentication must be true)"
        if machine.has(f"{profile}.adminPassword"):
            yield f"an administrator password is set ({profile}.adminPassword must not be set)"

    return check


RULES = (
    service_rule(
        "vm-encryption-at-host",
        description="Virtual machines and scale sets should encrypt temporary disks and disk caches at the host (advisory: needs a subscription feature and a supporting VM size; Microsoft's baselines audit it).",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Set securityProfile.encryptionAtHost=true (scale sets: virtualMachineProfile.securityProfile; classic: encryptionAtHostEnabled=true); register the EncryptionAtHost feature once per subscription.",
        targets=(
            Target(NATIVE_VM, must_be_true("securityProfile.encryptionAtHost", "encryption at host")),
            Target(
                NATIVE_SCALE_SET,
                must_be_true("virtualMachineProfile.securityProfile.encryptionAtHost", "encryption at host"),
            ),
            Target(CLASSIC_MACHINES, must_be_true("encryptionAtHostEnabled", "encryption at host")),
        ),
        azure_policy_ids=("fc4d8e41-e223-45ea-9bf5-eada37891d87",),
        checkov_ids=("CKV_AZURE_97", "CKV_AZURE_151"),
    ),
    service_rule(
        "vm-disk-customer-managed-key",
        description="Virtual machine and scale set OS and data disks must be encrypted with a customer-managed key (a disk encryption set).",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.HIGH,
        remediation="Set storageProfile.osDisk.managedDisk.diskEncryptionSet.id (and each data disk's) to a disk encryption set (classic: osDisk.diskEncryptionSetId).",
        targets=(
            Target(NATIVE_VM, _native_disks_cmk("")),
            Target(NATIVE_SCALE_SET, _native_disks_cmk(_SCALE_SET_PROFILE)),
            Target(CLASSIC_MACHINES, _classic_disks_cmk),
            Target(LEGACY_MACHINES, _legacy_disks_cmk),
        ),
        azure_policy_ids=("702dd420-7fcc-42c5-afe8-4026edd20fe0",),
    ),
    service_rule(
        "vm-linux-ssh-keys-only",
        description="Linux virtual machines and scale sets must sign in with SSH keys only: password authentication off, no admin password.",
        citation=citations.ENTITY_AUTHENTICATION,
        severity=Severity.HIGH,
        remediation="Set osProfile.linuxConfiguration.disablePasswordAuthentication=true with ssh.publicKeys and remove adminPassword (classic: disablePasswordAuthentication=true, adminSshKeys).",
        targets=(
            Target(NATIVE_VM, _native_linux_keys_only("")),
            Target(NATIVE_SCALE_SET, _native_linux_keys_only(_SCALE_SET_PROFILE)),
            Target(
                CLASSIC_LINUX,
                all_of(
                    must_be_true("disablePasswordAuthentication", "disabling of password sign-in", absent="ok"),
                    must_not_be_set("adminPassword", "an administrator password is set"),
                ),
            ),
            Target(LEGACY_MACHINES, _legacy_linux_keys_only),
            # Flexible scale sets nest the Linux settings (disablePasswordAuthentication defaults to true there).
            Target(
                CLASSIC_FLEXIBLE,
                all_of(
                    must_be_true(
                        "osProfile.linuxConfiguration.disablePasswordAuthentication",
                        "disabling of password sign-in",
                        absent="ok",
                    ),
                    must_not_be_set("osProfile.linuxConfiguration.adminPassword", "an administrator password is set"),
                ),
            ),
        ),
        checkov_ids=("CKV_AZURE_1", "CKV_AZURE_49", "CKV_AZURE_149", "CKV_AZURE_178"),
    ),
    service_rule(
        "disk-customer-managed-key",
        description="Managed disks must be encrypted with a customer-managed key (a disk encryption set).",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.HIGH,
        remediation="Set encryption {type: 'EncryptionAtRestWithCustomerKey', diskEncryptionSetId} (classic: diskEncryptionSetId).",
        targets=(
            Target(
                NATIVE_DISK,
                any_of(
                    first_of(
                        must_equal("encryption.type", CMK_DISK_ENCRYPTION, _NO_CMK),
                        must_be_set("encryption.diskEncryptionSetId", "the disk encryption set is not named"),
                    ),
                    # a confidential VM's disk, its key in the confidential disk encryption set (as the classic
                    # secureVmDiskEncryptionSetId): DiskSecurityProfile.secureVMDiskEncryptionSetId,
                    # https://learn.microsoft.com/javascript/api/@azure/arm-compute/disksecurityprofile
                    must_be_set("securityProfile.secureVMDiskEncryptionSetId", _NO_CMK),
                ),
            ),
            Target(
                CLASSIC_DISK,
                any_of(
                    must_be_set("diskEncryptionSetId", _NO_CMK), must_be_set("secureVmDiskEncryptionSetId", _NO_CMK)
                ),
            ),
        ),
        azure_policy_ids=("702dd420-7fcc-42c5-afe8-4026edd20fe0",),
        checkov_ids=("CKV_AZURE_93",),
    ),
    service_rule(
        "disk-public-access-disabled",
        description="Managed disks must not be exportable or importable over the Internet (SAS URIs): network access denied or private only, or public network access disabled (as the built-in Azure Policy accepts).",
        citation=citations.TRANSMISSION_SECURITY,
        related=(citations.ACCESS_CONTROL,),
        severity=Severity.HIGH,
        remediation="Set networkAccessPolicy='DenyAll' (or 'AllowPrivate' with diskAccessId) and publicNetworkAccess='Disabled' (classic: publicNetworkAccessEnabled=false).",
        targets=(
            Target(
                NATIVE_DISK,
                any_of(
                    must_equal(
                        "networkAccessPolicy", ("DenyAll", "AllowPrivate"), "the disk can be exported over the Internet"
                    ),
                    must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled"),
                ),
            ),
            Target(
                CLASSIC_DISK,
                any_of(
                    must_equal(
                        "networkAccessPolicy", ("DenyAll", "AllowPrivate"), "the disk can be exported over the Internet"
                    ),
                    must_be_false("publicNetworkAccessEnabled", "public network access"),
                ),
            ),
        ),
        azure_policy_ids=("8405fdab-1faf-48aa-b702-999c9c172094",),
        checkov_ids=("CKV_AZURE_251",),
    ),
)
