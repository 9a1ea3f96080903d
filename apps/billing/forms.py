from django import forms

from apps.billing.choices import BillingFormat


class BillingUploadForm(forms.Form):
    file = forms.FileField(help_text="AWS CUR / CUR 2.0 (CSV, CSV.gz, Parquet), GCP or FOCUS.")
    format = forms.ChoiceField(choices=BillingFormat.choices, initial=BillingFormat.AUTO)
    source = forms.CharField(max_length=200, initial="default")
