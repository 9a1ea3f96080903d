"""Server-rendered billing pages: upload an export and follow recent imports."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.accounts.access import access_for_request
from apps.accounts.choices import Scope
from apps.billing.forms import BillingUploadForm
from apps.billing.selectors import billing_import_list
from apps.billing.services.billing_upload import billing_import_upload

RECENT_IMPORTS = 20


@login_required
def billing_imports(request: HttpRequest) -> HttpResponse:
    if not access_for_request(request).has_scope(Scope.INGEST_BILLING):
        raise PermissionDenied
    form = BillingUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        billing_import_upload(
            upload=form.cleaned_data["file"],
            file_format=form.cleaned_data["format"],
            source_name=form.cleaned_data["source"],
            created_by=request.user,
            via="ui",
        )
        return redirect("billing-imports-page")
    context = {"form": form, "imports": billing_import_list()[:RECENT_IMPORTS]}
    return render(request, "billing/imports.html", context)
