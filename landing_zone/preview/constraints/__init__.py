"""Azure's rejections, simulated: a catalog of constraints Azure Resource Manager and azure-native enforce.

Each entry is a small check plus the Microsoft documentation page it comes from and a stable id
(see ``catalog.CATALOG``). Tables (allowed values, name rules, key sizes per CMK consumer, built-in
policy parameters) are dated JSON data in ``data/``. The preview runs the catalog over every
registration after the program finishes; any rejection fails the preview with exit code 3.
"""

from landing_zone.preview.constraints.catalog import CATALOG, check_registrations
from landing_zone.preview.constraints.model import AzureRejection, Constraint, Finding

__all__ = ["CATALOG", "AzureRejection", "Constraint", "Finding", "check_registrations"]
