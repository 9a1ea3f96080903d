"""Scope checks. Reads need ``read``; writes need the view's ``write_scope`` (``admin`` by default).

A view may set ``required_scope`` to demand one scope for every method (ingest endpoints do).
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from apps.accounts.access import access_for_request
from apps.accounts.choices import Scope


class HasScope(BasePermission):
    message = "This credential lacks the scope this request needs."

    def has_permission(self, request: Request, view: object) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        scope = getattr(view, "required_scope", None)
        if scope is None:
            if request.method in SAFE_METHODS:
                scope = Scope.READ
            else:
                scope = getattr(view, "write_scope", Scope.ADMIN)
        needed = str(scope)
        self.message = f"This request needs the {needed!r} scope."
        return access_for_request(request).has_scope(needed)
