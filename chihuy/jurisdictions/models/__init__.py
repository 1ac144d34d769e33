from chihuy.jurisdictions.models.jurisdiction import Jurisdiction, JurisdictionSuccession

__all__ = ["Jurisdiction", "JurisdictionSuccession"]
