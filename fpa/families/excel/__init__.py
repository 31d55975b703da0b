"""Special families (计生特殊家庭) import and export on the shared Excel engine.

One row is one family: its association (协会编码), kind, the mother's and the father's name, ID
number and phone, the child's name, death date and disability grade, the address, the registration
date and the two one-child facts. A family is known by its mother's ID number, or by the father's
when the row has no mother's number: a row whose number belongs to a parent of a family inside the
user's scope changes that family (`family_update`, `person_update`, or `person_add` for a parent or
child not yet registered); any other row registers a new family (`family_register`). The services
check the scope again and write the audit trail.

The kind of a family (失独/伤残/并发症) is sensitive, and so are the child's death date and
disability grade, which give it away. The masked export writes 计生特殊家庭 and **** in their place
(both read back as "keep what is stored"); only the full export, which needs `personal.reveal` and
a reason and is audited, holds them. The import preview never shows them either.

Modules: `columns` (the sheet: its columns, hidden values, the masked variant), `importer`
(`FamilyImporter`), `export` (the export and the template).
"""

from fpa.families.excel.columns import (
    DEATH_NEEDED,
    FAMILY_FIELDS,
    FAMILY_SHEET,
    GRADE,
    GRADE_NEEDED,
    GRADES,
    HIDDEN,
    HIDDEN_KIND,
    HIDDEN_VALUE,
    HOLDER,
    KEEP_MEMBER,
    KIND_NEEDED,
    MASKED_SHEET,
    MOVED,
    NAME_NEEDED,
    NO_KEY,
    NOT_FUTURE,
    NOT_SHOWN,
    OUT_OF_SCOPE,
    PARENTS,
    PERSON_ATTRS,
    SAME_FAMILY,
    SAME_PERSON,
    TWICE_IN_ROW,
    Grade,
    KindChoice,
    SensitiveColumn,
    _masked,
    _nfkc,
    past_date,
    person_of,
)
from fpa.families.excel.export import (
    families_export,
    families_for_export,
    families_template,
)
from fpa.families.excel.importer import (
    FamilyImporter,
    duplicate_message,
)

__all__ = [
    "DEATH_NEEDED",
    "FAMILY_FIELDS",
    "FAMILY_SHEET",
    "GRADE",
    "GRADES",
    "GRADE_NEEDED",
    "HIDDEN",
    "HIDDEN_KIND",
    "HIDDEN_VALUE",
    "HOLDER",
    "KEEP_MEMBER",
    "KIND_NEEDED",
    "MASKED_SHEET",
    "MOVED",
    "NAME_NEEDED",
    "NOT_FUTURE",
    "NOT_SHOWN",
    "NO_KEY",
    "OUT_OF_SCOPE",
    "PARENTS",
    "PERSON_ATTRS",
    "SAME_FAMILY",
    "SAME_PERSON",
    "TWICE_IN_ROW",
    "FamilyImporter",
    "Grade",
    "KindChoice",
    "SensitiveColumn",
    "_masked",
    "_nfkc",
    "duplicate_message",
    "families_export",
    "families_for_export",
    "families_template",
    "past_date",
    "person_of",
]
