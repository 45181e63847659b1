from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from repository import permissions
from repository.models import FieldDefinition, Item, ItemType
from repository.selectors import visible_items
from repository.services import check_item_data, hidden_link

K = FieldDefinition.Kind
FIELD_PREFIX = "f_"
SELECT_LIMIT = 200  # above this many choices, people and items are typed, not picked


def _custom_form_field(definition, user):
    common = {"label": definition.label, "required": definition.required, "help_text": definition.help_text}
    if definition.kind == K.NUMBER:
        return forms.DecimalField(**common, widget=forms.NumberInput(attrs={"step": "any"}))
    if definition.kind == K.DATE:
        return forms.DateField(**common, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    if definition.kind == K.URL:
        return forms.URLField(**common, assume_scheme="https")
    if definition.kind == K.CHOICE:
        return forms.ChoiceField(**common, choices=[("", "—"), *((c, c) for c in definition.choice_list)])
    if definition.kind == K.PERSON:
        people = get_user_model().objects.filter(is_active=True)
        if people.count() > SELECT_LIMIT:  # a select of thousands is unusable: type the e-mail
            return forms.EmailField(**{**common, "help_text": common["help_text"] or _("E-mail address.")})
        return forms.ModelChoiceField(queryset=people, **common)
    if definition.kind == K.ITEM:
        items = visible_items(user).select_related("item_type")
        if definition.target_type_id:
            items = items.filter(item_type_id=definition.target_type_id)
        if items.count() > SELECT_LIMIT:
            hint = _("Name, slug or external id of the item.")
            return forms.CharField(**{**common, "help_text": common["help_text"] or hint}, max_length=220)
        return forms.ModelChoiceField(queryset=items.order_by("name"), **common)
    return forms.CharField(**common, max_length=1000)


class ItemForm(forms.Form):
    """Name, description, status, tags, owners, restriction, and one form field per custom
    field definition of the type. Final validation is the service's (check_item_data)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    description_md = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6}), help_text=_("Markdown.")
    )
    status = forms.ChoiceField(label=_("Status"), choices=Item.Status.choices, initial=Item.Status.ACTIVE)
    external_id = forms.CharField(
        label=_("External id"), required=False, max_length=120, help_text=_("The id of this item in the CRM or ERP.")
    )
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    owners = forms.ModelMultipleChoiceField(
        label=_("Owners"), required=False, queryset=get_user_model().objects.filter(is_active=True)
    )
    restricted_to = forms.ModelMultipleChoiceField(
        label=_("Restricted to groups"),
        required=False,
        queryset=Group.objects.order_by("name"),
        help_text=_("Leave empty to share the item with the whole company."),
    )

    def __init__(self, *args, user, item_type: ItemType, instance: Item | None = None, **kwargs):
        self.user, self.item_type, self.instance = user, item_type, instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(instance)
        super().__init__(*args, **kwargs)
        self.definitions = list(item_type.field_definitions.all())
        for definition in self.definitions:
            name = FIELD_PREFIX + definition.key
            self.fields[name] = field = _custom_form_field(definition, user)
            value = self.initial.get(name)
            if isinstance(field, forms.EmailField) and isinstance(value, int):
                self.initial[name] = get_user_model().objects.filter(pk=value).values_list("email", flat=True).first()
            elif type(field) is forms.CharField and definition.kind == K.ITEM and isinstance(value, int):
                self.initial[name] = visible_items(user).filter(pk=value).values_list("slug", flat=True).first()
            if hidden_link(definition, instance, user) is not None:
                field.help_text = _("It links to an item you cannot see: that link is kept unless you choose another.")
        if not permissions.can_restrict_item(user, instance):
            del self.fields["restricted_to"]
        self.cleaned_item_data = None

    @staticmethod
    def initial_from(item):
        initial = {
            "name": item.name,
            "description_md": item.description_md,
            "status": item.status,
            "external_id": item.external_id,
            "tags": ", ".join(t.name for t in item.tags.all()),
            "owners": list(item.owners.all()),
            "restricted_to": list(item.restricted_to.all()),
        }
        for key, value in (item.fields or {}).items():
            initial[FIELD_PREFIX + key] = value
        return initial

    def custom_fields(self):
        return [self[FIELD_PREFIX + d.key] for d in self.definitions]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        data = {k: cleaned.get(k) for k in ("name", "description_md", "status", "external_id", "tags", "owners")}
        if "restricted_to" in self.fields:
            data["restricted_to"] = cleaned.get("restricted_to")
        data["fields"] = {d.key: cleaned.get(FIELD_PREFIX + d.key) for d in self.definitions}
        try:
            self.cleaned_item_data = check_item_data(self.user, self.item_type, data, instance=self.instance)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                target = FIELD_PREFIX + key.removeprefix("fields.") if key.startswith("fields.") else key
                for message in messages:
                    self.add_error(target if target in self.fields else None, message)
        return cleaned


class DocumentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False, help_text=_("Empty: the file name."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("File"))
    comment = forms.CharField(label=_("What is in this version?"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.RSE_MAX_UPLOAD_BYTES // 1_048_576
        self.fields["file"].help_text = _("Up to %(limit)d MB.") % {"limit": limit}


class VersionForm(forms.Form):
    file = forms.FileField(label=_("New version"))
    comment = forms.CharField(label=_("What changed?"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.RSE_MAX_UPLOAD_BYTES // 1_048_576
        self.fields["file"].help_text = _("Up to %(limit)d MB.") % {"limit": limit}


class ImportForm(forms.Form):
    item_type = forms.ModelChoiceField(label=_("Type of items"), queryset=ItemType.objects.all())
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "First line: column names. Required: external_id, name. Optional: description, status, tags and "
            "the type's custom fields (by key or label). Up to 10 MB and 20,000 rows."
        ),
    )
