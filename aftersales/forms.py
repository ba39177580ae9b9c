from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from aftersales.models import Branch, User
from aftersales.roles import Role


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked (size, type) by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        return [single(upload, initial) for upload in uploads if upload]


class BranchForm(forms.ModelForm):
    class Meta:
        model = Branch
        fields = [
            "name",
            "code",
            "street",
            "postcode",
            "city",
            "country",
            "time_zone",
            "holiday_region",
            "is_active",
        ]


class UserForm(forms.Form):
    """Create or edit a user: identity, roles and branches (the service checks the combination)."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Used to log in. Letters, digits and @/./+/-/_ only."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"), required=False, help_text=_("Notifications are sent here.")
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=User._meta.get_field("language").choices,
        initial="en",
        help_text=_("Language of the e-mails this person receives."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the person does; decides the pages they can use."),
    )
    branches = forms.ModelMultipleChoiceField(
        label=_("Branches"),
        queryset=Branch.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Where the person works; they see these branches' data."),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("Inactive users cannot log in; their history is kept."),
    )
    password1 = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput, strip=False, required=False
    )
    password2 = forms.CharField(
        label=_("Repeat password"), widget=forms.PasswordInput, strip=False, required=False
    )

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "username": instance.username,
                    "first_name": instance.first_name,
                    "last_name": instance.last_name,
                    "email": instance.email,
                    "phone": instance.phone,
                    "language": instance.language,
                    "roles": sorted(instance.role_names),
                    "branches": list(instance.branches.all()),
                    "is_active": instance.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        if instance is None:
            del self.fields["is_active"]
            self.fields["password1"].required = True
            self.fields["password2"].required = True
        else:
            self.fields["username"].disabled = True
            del self.fields["password1"]
            del self.fields["password2"]

    def clean(self):
        cleaned = super().clean()
        if self.instance is None:
            first, second = cleaned.get("password1"), cleaned.get("password2")
            if first and second and first != second:
                self.add_error("password2", _("The two passwords differ. Type the same twice."))
            elif first:
                candidate = User(
                    username=cleaned.get("username", ""),
                    first_name=cleaned.get("first_name", ""),
                    last_name=cleaned.get("last_name", ""),
                    email=cleaned.get("email", ""),
                )
                try:
                    validate_password(first, candidate)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return cleaned


class LanguageForm(forms.Form):
    """The profile's language section: what a person chooses for themselves."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=User._meta.get_field("language").choices,
        help_text=_("Pages, notifications and e-mails for you are in this language."),
    )
