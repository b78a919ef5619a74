"""The working record of one mention during resolution."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Item:
    mention_id: int
    document_id: str
    type: str  # may be changed by a rule (type vote, surname join)
    key: str  # matching key; rewritten by document rules
    form: str  # display form the key came from
    rules: list[str] = field(default_factory=list)
    text: str = ""  # the surface form as printed (the entity's aliases)

    def set(self, entity_type: str, key: str, form: str, rule: str) -> None:
        if (entity_type, key) != (self.type, self.key):
            self.type, self.key, self.form = entity_type, key, form
            self.rules.append(rule)

    @property
    def rule(self) -> str:
        """The rule trail, e.g. `exact`, `surname_in_document`, `type_vote+ocr_variant`."""
        return "+".join(self.rules)[:40] if self.rules else "exact"
