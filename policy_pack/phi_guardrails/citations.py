"""The HIPAA Security Rule safeguards (45 CFR Part 164, Subpart C) that rules cite.

Auditors read these: each citation names the regulation paragraph and its title as the
regulation words it, so a verdict can be traced without reading our code.
"""

from __future__ import annotations

from dataclasses import dataclass

FRAMEWORK_NAME = "HIPAA Security Rule"
FRAMEWORK_VERSION = "45 CFR Part 164 Subpart C"


@dataclass(frozen=True)
class Citation:
    """One paragraph of the Security Rule."""

    paragraph: str
    title: str

    @property
    def reference(self) -> str:
        return f"45 CFR {self.paragraph}"


ACTIVITY_REVIEW = Citation("164.308(a)(1)(ii)(D)", "Information system activity review")
WORKFORCE_SECURITY = Citation("164.308(a)(3)", "Workforce security")
ACCESS_MANAGEMENT = Citation("164.308(a)(4)", "Information access management")
LOGIN_MONITORING = Citation("164.308(a)(5)(ii)(C)", "Log-in monitoring")
INCIDENT_PROCEDURES = Citation("164.308(a)(6)", "Security incident procedures")
DATA_BACKUP_PLAN = Citation("164.308(a)(7)(ii)(A)", "Data backup plan")
DISASTER_RECOVERY = Citation("164.308(a)(7)(ii)(B)", "Disaster recovery plan")
BUSINESS_ASSOCIATES = Citation("164.308(b)(1)", "Business associate contracts and other arrangements")
BACKUP_AND_STORAGE = Citation("164.310(d)(2)(iv)", "Data backup and storage")
ACCESS_CONTROL = Citation("164.312(a)(1)", "Access control")
UNIQUE_USER_ID = Citation("164.312(a)(2)(i)", "Unique user identification")
EMERGENCY_ACCESS = Citation("164.312(a)(2)(ii)", "Emergency access procedure")
ENCRYPTION_AT_REST = Citation("164.312(a)(2)(iv)", "Encryption and decryption")
AUDIT_CONTROLS = Citation("164.312(b)", "Audit controls")
INTEGRITY = Citation("164.312(c)(1)", "Integrity")
AUTHENTICATE_EPHI = Citation("164.312(c)(2)", "Mechanism to authenticate electronic protected health information")
ENTITY_AUTHENTICATION = Citation("164.312(d)", "Person or entity authentication")
TRANSMISSION_SECURITY = Citation("164.312(e)(1)", "Transmission security")
TRANSMISSION_INTEGRITY = Citation("164.312(e)(2)(i)", "Integrity controls")
ENCRYPTION_IN_TRANSIT = Citation("164.312(e)(2)(ii)", "Encryption")
DOCUMENTATION_RETENTION = Citation("164.316(b)(2)(i)", "Time limit (retain documentation six years)")
