"""Who may reach the curator area: holders of the curator role (and superusers)."""

from __future__ import annotations

from media_library.roles import Role, role_required

curator_required = role_required(Role.CURATOR)
