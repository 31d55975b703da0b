"""One care mechanism for every module that looks after people (关爱机制): contact persons with
their roles' contact-frequency rules, the care log, and needs (诉求) tracked to resolution.

- `models`: abstract bases (`ContactBase`, `CareRecordBase`, `NeedBase`); each module declares
  its concrete models with the foreign key to its own subject (a special family, a left-behind
  person) and the configurable lists (contact roles, care kinds) it uses.
- `rules`: the contact-frequency rules and the overdue computation (pure, no ORM).
- `spec`: `CareSpec`, how one module's subject is named, scoped and checked.
- `services`: assign/end a contact, log care, raise/update a need (checked, audited).
- `selectors`: current contacts, the care log, needs, what is overdue.

Core imports no app: the modules pass their models in through their `CareSpec`.
"""
