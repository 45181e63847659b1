from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from directory.models import Contact, ImportJob, Profile, Site
from repository.selectors import visible_items


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.all(), required=False)
    phone_work = forms.CharField(label=_("Work phone"), max_length=40, required=False)
    phone_mobile = forms.CharField(label=_("Mobile phone"), max_length=40, required=False)
    phone_mobile_visibility = forms.ChoiceField(
        label=_("Who sees my mobile phone"), choices=Profile.Visibility.choices, widget=forms.RadioSelect
    )
    languages = forms.CharField(
        label=_("Languages"), max_length=120, required=False, help_text=_("Comma-separated codes: fr, en, de")
    )
    bio_md = forms.CharField(
        label=_("About me"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: **bold**, *italic*, [links](https://…), lists."),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG, PNG, GIF or WebP, at most 5 MB; resized to 512 px."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: label | https://address"),
    )

    def clean_languages(self):
        value = self.cleaned_data["languages"]
        codes = [c.strip().lower() for c in value.replace(";", ",").split(",") if c.strip()]
        bad = [c for c in codes if not c.isalpha() or len(c) > 3]
        if bad:
            raise forms.ValidationError(_("Use language codes like fr, en, de (not “%(bad)s”).") % {"bad": bad[0]})
        return ",".join(codes)

    def clean_links(self):
        links = []
        url_field = forms.URLField(assume_scheme="https")
        for number, line in enumerate(self.cleaned_data["links"].splitlines(), start=1):
            if not line.strip():
                continue
            label, sep, url = line.partition("|")
            if not sep:
                label, url = "", label
            try:
                url = url_field.clean(url.strip())
            except forms.ValidationError as exc:
                raise forms.ValidationError(
                    _("Line %(n)d: “%(url)s” is not a web address.") % {"n": number, "url": url.strip()}
                ) from exc
            links.append(((label.strip() or url)[:80], url))
        if len(links) > 10:
            raise forms.ValidationError(_("At most 10 links."))
        return links


class SkillForm(forms.Form):
    skill = forms.CharField(
        label=_("Add a skill"), max_length=80, help_text=_("Something colleagues can ask you about.")
    )


def split_lines(value):
    return [v.strip() for v in (value or "").replace(",", "\n").replace(";", "\n").splitlines() if v.strip()]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    emails = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    phones = forms.CharField(
        label=_("Phones"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line.")
    )
    url = forms.URLField(label=_("Web address"), required=False, assume_scheme="https")
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Comma-separated."))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    item = forms.ModelChoiceField(label=_("Customer or partner"), queryset=None, required=False)
    photo = forms.ImageField(
        label=_("Photo"), required=False, help_text=_("JPEG, PNG, GIF or WebP, at most 5 MB; resized to 160 px.")
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    def __init__(self, *args, user=None, contact=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = visible_items(user).order_by("name")
        if contact is None or not contact.photo:
            del self.fields["remove_photo"]

    @classmethod
    def initial_for(cls, contact: Contact) -> dict:
        return {
            "name": contact.name,
            "company": contact.company,
            "job_title": contact.job_title,
            "emails": "\n".join(contact.emails),
            "phones": "\n".join(contact.phones),
            "url": contact.url,
            "tags": ", ".join(contact.tags),
            "notes": contact.notes,
            "item": contact.item_id,
        }

    def contact_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("photo", "remove_photo")}
        data["emails"] = split_lines(data["emails"])
        data["phones"] = [p.strip() for p in (data["phones"] or "").splitlines() if p.strip()]
        data["tags"] = split_lines(data["tags"])
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    full_sync = forms.BooleanField(
        label=_("This file is the complete employee list"),
        required=False,
        help_text=_("Employees provisioned earlier but missing from the file are deactivated (never deleted)."),
    )

    def __init__(self, *args, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != ImportJob.Kind.HR:
            del self.fields["full_sync"]
        accept = {
            ImportJob.Kind.VCARD: ".vcf,text/vcard",
            ImportJob.Kind.CSV: ".csv,text/csv",
            ImportJob.Kind.LINKEDIN: ".csv,text/csv",
            ImportJob.Kind.HR: ".csv,text/csv",
        }.get(kind, "")
        self.fields["file"].widget.attrs["accept"] = accept
        self.fields["file"].help_text = _("At most %(mb)d MB and %(rows)d rows.") % {
            "mb": settings.RSE_MAX_UPLOAD_BYTES // (1024 * 1024),
            "rows": settings.RSE_IMPORT_MAX_ROWS,
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.RSE_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": settings.RSE_MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload
