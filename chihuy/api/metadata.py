"""What ``OPTIONS`` answers on the API (DRF's ``DEFAULT_METADATA_CLASS``).

A module of its own: DRF reads the setting while ``rest_framework.views`` is being
imported, so this must not import any view.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework.metadata import BaseMetadata
from rest_framework.request import Request


class ApiMetadata(BaseMetadata):
    """What ``OPTIONS`` answers: the formats spoken here and where the input is described.

    DRF's default lists the fields of the view's ``serializer_class``, but our views name
    a serializer per method and per direction (``extend_schema``), have no such attribute,
    and the default crashed on them. The OpenAPI schema is the one full description, so
    OPTIONS points to it; the methods are in the ``Allow`` header.
    """

    def determine_metadata(self, request: Request, view: Any) -> dict[str, Any]:
        return {
            "name": view.get_view_name(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
            "schema": reverse("api:schema"),
        }
