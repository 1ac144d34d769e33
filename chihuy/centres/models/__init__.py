from chihuy.centres.models.agency import Agency
from chihuy.centres.models.centre import Centre
from chihuy.centres.models.member import DeputySector, Member

__all__ = ["Agency", "Centre", "DeputySector", "Member"]
