"""Vendor API credentials: list (every role, secrets masked), add, enable/disable, delete and
"pull now" (writers). Thin: the logic is in apps.connectors.pull.service."""

import ipaddress
import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from apps.accounts.permissions import READ, WRITE
from apps.accounts.tenancy import get_scoped_or_404, org_view, scoped

from .dispatch import dispatch
from .models import Vendor, VendorCredential
from .pull.aws_bedrock_logs import REGION as AWS_REGION
from .pull.service import add_credential
from .tasks import pull_credential

GITHUB_ORG = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,98}[A-Za-z0-9])?$")
AWS_KEY_ID = re.compile(r"^[A-Z0-9]{16,128}$")
LOG_GROUP = re.compile(r"^[A-Za-z0-9._/#-]{1,512}$")  # CloudWatch Logs' log group name pattern


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class CredentialForm(forms.Form):
    vendor = forms.ChoiceField(label=gettext_lazy("Vendor"), choices=Vendor.choices)
    label = forms.CharField(label=gettext_lazy("Label"), max_length=100)
    # render_value=False: a form shown again after an error never carries the secret back to the page.
    secret = forms.CharField(
        label=gettext_lazy("Admin key or token"),
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    github_org = forms.CharField(
        label=gettext_lazy("GitHub organisation"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("For GitHub Copilot only: the organisation's login."),
    )
    # Amazon Bedrock only: the access key id, the session token of temporary keys, where the logs are.
    aws_access_key_id = forms.CharField(
        label=gettext_lazy("AWS access key id"),
        max_length=128,
        required=False,
        help_text=gettext_lazy("For Amazon Bedrock only; the secret access key goes in the field above."),
    )
    aws_session_token = forms.CharField(
        label=gettext_lazy("AWS session token"),
        max_length=4096,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Only for temporary keys (those starting with ASIA)."),
    )
    aws_region = forms.CharField(
        label=gettext_lazy("AWS region"),
        max_length=30,
        required=False,
        help_text=gettext_lazy("The region where Bedrock writes the invocation logs, e.g. eu-west-1."),
    )
    log_group = forms.CharField(
        label=gettext_lazy("CloudWatch Logs log group"),
        max_length=512,
        required=False,
        help_text=gettext_lazy("The log group set in Bedrock's model invocation logging settings."),
    )
    base_url = forms.CharField(
        label=gettext_lazy("API base URL"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Leave blank for the vendor's public API."),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_base_url(self):
        url = self.cleaned_data["base_url"].strip().rstrip("/")
        if not url:
            return ""
        parts = urlsplit(url)
        # The secret is sent to this URL: https only, plain http just for a local server in development.
        allowed = parts.scheme == "https" or (
            parts.scheme == "http" and settings.DEBUG and _loopback(parts.hostname or "")
        )
        if not allowed or not parts.hostname:
            raise forms.ValidationError(_("Enter an https:// URL, e.g. https://api.openai.com."))
        if parts.username or parts.password or parts.query or parts.fragment:
            raise forms.ValidationError(_("The URL must not contain a user, a password, a query or a fragment."))
        return url

    def clean(self):
        data = super().clean()
        vendor, org = data.get("vendor"), (data.get("github_org") or "").strip()
        if vendor == Vendor.GITHUB and not GITHUB_ORG.match(org):
            self.add_error("github_org", _("Enter the GitHub organisation's login (letters, digits and hyphens)."))
        data["github_org"] = org if vendor == Vendor.GITHUB else ""
        self._clean_aws(data, vendor == Vendor.AWS_BEDROCK)
        label = (data.get("label") or "").strip()
        if vendor and label and scoped(VendorCredential, self.organisation).filter(vendor=vendor, label=label).exists():
            self.add_error("label", _("A credential of this vendor already has this label."))
        data["label"] = label
        return data

    def _clean_aws(self, data, is_aws: bool) -> None:
        """Check the AWS fields of a Bedrock credential; blank them for any other vendor."""
        names = ("aws_access_key_id", "aws_session_token", "aws_region", "log_group")
        values = {name: (data.get(name) or "").strip() for name in names}
        if is_aws:
            if not AWS_KEY_ID.match(values["aws_access_key_id"]):
                self.add_error("aws_access_key_id", _("Enter the access key id (letters and digits, e.g. AKIA…)."))
            if not AWS_REGION.match(values["aws_region"]):
                self.add_error("aws_region", _("Enter an AWS region name such as eu-west-1."))
            if not LOG_GROUP.match(values["log_group"]):
                self.add_error("log_group", _("Enter the log group's name (letters, digits and . - _ / #)."))
        for name in names:
            data[name] = values[name] if is_aws else ""


@sensitive_post_parameters("secret", "aws_session_token")  # an error report shows the vendor secret as stars
@org_view(READ, write_methods_action=WRITE)
def credential_list(request):
    """Every role sees the credentials (masked); writers add one with POST."""
    org = request.organisation
    form = CredentialForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        credential = add_credential(
            org,
            vendor=data["vendor"],
            label=data["label"],
            secret=data["secret"],
            base_url=data["base_url"],
            github_org=data["github_org"],
            user=request.user,
            aws_access_key_id=data["aws_access_key_id"],
            aws_session_token=data["aws_session_token"],
            aws_region=data["aws_region"],
            log_group=data["log_group"],
        )
        messages.success(
            request, _("Credential “%(label)s” saved; its secret is stored encrypted.") % {"label": credential.label}
        )
        return redirect("connectors:credentials", org_slug=org.slug)
    credentials = scoped(VendorCredential, org).select_related("created_by")
    return render(request, "connectors/credential_list.html", {"form": form, "credentials": credentials})


@org_view(WRITE)
@require_POST
def credential_toggle(request, pk):
    """Enable or disable a credential (a disabled one is left out of the daily pull)."""
    credential = get_scoped_or_404(VendorCredential, request.organisation, pk=pk)
    credential.enabled = not credential.enabled
    credential.save(update_fields=["enabled"])
    return redirect("connectors:credentials", org_slug=request.organisation.slug)


@org_view(WRITE)
@require_POST
def credential_delete(request, pk):
    """Delete a credential; what it pulled stays, with its files and runs."""
    credential = get_scoped_or_404(VendorCredential, request.organisation, pk=pk)
    label = credential.label
    credential.delete()
    messages.success(request, _("Credential “%(label)s” deleted.") % {"label": label})
    return redirect("connectors:credentials", org_slug=request.organisation.slug)


@org_view(WRITE)
@require_POST
def credential_pull(request, pk):
    """Queue a pull of the last days now (in a worker: nothing long runs inside the request)."""
    credential = get_scoped_or_404(VendorCredential, request.organisation, pk=pk)
    if not credential.enabled:
        messages.error(request, _("Enable the credential before pulling."))
    else:
        user_id = request.user.pk
        dispatch(pull_credential, credential.pk, user_id=user_id)
        messages.success(
            request, _("Pull of “%(label)s” queued; its runs appear under Usage files.") % {"label": credential.label}
        )
    return redirect("connectors:credentials", org_slug=request.organisation.slug)
