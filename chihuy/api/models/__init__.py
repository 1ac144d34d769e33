from chihuy.api.models.token import ApiToken

__all__ = ["ApiToken"]
