"""Forms of the special-family pages: they parse and validate what people type; the rules that
need the database (duplicates, scope, versions) are the services'.

Modules: `fields` (shared fields and helpers), `registry` (list filter, registration, a family
and its people), `contacts`, `care` (care log, needs, supports, photos, campaigns, rates).
"""

from fpa.families.forms.care import (
    PHOTO_HELP,
    CampaignForm,
    CareForm,
    CarePhotoForm,
    MultipleImageInput,
    NeedUpdateForm,
    PhotosField,
    RateForm,
    SupportForm,
)
from fpa.families.forms.contacts import (
    ContactEndForm,
    ContactForm,
    ReassignForm,
)
from fpa.families.forms.fields import (
    ACCOUNT_ERROR,
    DATE,
    EARLIEST,
    GRADES,
    HIDDEN_HELP,
    AccountChoiceField,
    ProtectedInput,
    account_field,
    association_field,
)
from fpa.families.forms.registry import (
    CHILD_ONLY,
    PARENT_LABELS,
    PARENT_ROLES,
    STATUS_FILTER,
    FamilyFilterForm,
    FamilyForm,
    PersonForm,
    RegisterForm,
    StatusForm,
)

__all__ = [
    "ACCOUNT_ERROR",
    "CHILD_ONLY",
    "DATE",
    "EARLIEST",
    "GRADES",
    "HIDDEN_HELP",
    "PARENT_LABELS",
    "PARENT_ROLES",
    "PHOTO_HELP",
    "STATUS_FILTER",
    "AccountChoiceField",
    "CampaignForm",
    "CareForm",
    "CarePhotoForm",
    "ContactEndForm",
    "ContactForm",
    "FamilyFilterForm",
    "FamilyForm",
    "MultipleImageInput",
    "NeedUpdateForm",
    "PersonForm",
    "PhotosField",
    "ProtectedInput",
    "RateForm",
    "ReassignForm",
    "RegisterForm",
    "StatusForm",
    "SupportForm",
    "account_field",
    "association_field",
]
