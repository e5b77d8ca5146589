"""Sensitive care, which no one acting for a patient is ever shown: sexual and reproductive health,
mental health, substance-use treatment (42 CFR Part 2), HIV and genetic tests.

An item is sensitive when its sender flagged it (confidentiality R or V, or a sensitivity label,
kept on the item's content at filing: ``sensitivity_content``) or when one of its
codes is on its organization's lists. The lists are the admins' (``GET/PUT
/v1/admin/sensitive-codes``), kept on the organization; until an admin sets them they are
``DEFAULT_LISTS``, a starting point each clinic reviews: common LOINC codes of tests and notes,
ICD-10 families and SNOMED CT concepts of conditions, and RxNorm ingredients of medications.

A listed code matches the same code in the same system (its names made one: "LN" is LOINC),
except ICD-10's, which match by prefix: "F1" lists every code of F10-F19.99, as the classification
nests them ("F10.20" and "F1020" both fall under it).

Pure: no storage, clock or network.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from chalicelib.errors import Problems, ValidationFailed

# A sender's confidentiality codes that restrict an item (HL7 v3 Confidentiality, HL7 v2 tables
# 0272 and 0177): restricted and very restricted. Normal, low, moderate and unrestricted say nothing
# a reader acts on, so they are not kept.
RESTRICTED = ("R", "V")
# The sensitivity codes a sender may label an item with, kept on it: HL7 v3 ActCode's information
# sensitivity policies (FHIR meta.security), HL7 v2 table 0177 (ORC-28) and table 0717 (ARV-3).
# An item carrying any of them is sensitive care, never shown to someone acting for the patient.
SENSITIVITY_LABELS = frozenset(
    {
        "ETH",  # substance abuse (v3; v2 0177: alcohol or drug treatment)
        "SUD",  # substance use disorder (42 CFR Part 2)
        "DRG",  # drug (v2 0717)
        "HIV",
        "AID",  # AIDS patient (v2 0177)
        "PSY",  # psychiatry
        "PSYTHPN",  # psychotherapy note
        "BH",  # behavioral health
        "SDV",  # sexual assault, abuse or domestic violence
        "SEX",  # sexuality and reproductive health
        "STD",  # sexually transmitted disease
        "UWM",  # unwed mother (v2 0177)
        "GDIS",  # genetic disease
        "SCA",  # sickle cell anemia
        "MST",  # military sexual trauma
        "TBOO",  # taboo
        "SMD",  # sensitive medical data (v2 0717)
        "ALL",  # every part of the record restricted (v2 0717)
    }
)


def most_restricted(*codes: str) -> str:
    """The tightest of some confidentiality codes: V over R over nothing."""
    kept = {c.strip().upper() for c in codes} & set(RESTRICTED)
    return "V" if "V" in kept else "R" if "R" in kept else ""


def sensitivity_content(confidentiality: str, labels: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """The fields a filed item's content keeps of its sender's confidentiality: none at all for an
    item the sender did not restrict (so an unflagged item reads, and hashes, as before)."""
    fields: dict[str, Any] = {}
    if confidentiality:
        fields["confidentiality"] = confidentiality
    kept = sorted({label.strip().upper() for label in labels} & SENSITIVITY_LABELS)
    if kept:
        fields["security_labels"] = kept
    return fields


LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
# The systems whose codes match by prefix (the ICD-10 families).
PREFIX_SYSTEMS = frozenset({ICD10CM})
CATEGORIES = ("sexual_reproductive", "mental_health", "substance_use", "hiv", "genetic")
LABELS = {
    "sexual_reproductive": "Sexual and reproductive health",
    "mental_health": "Mental health",
    "substance_use": "Substance use treatment",
    "hiv": "HIV",
    "genetic": "Genetic tests",
}
MAX_CODES = 500  # per category: bounded, so one organization's lists are one small item
MAX_CODE = 64
MAX_SYSTEM = 200
MAX_DISPLAY = 200

# One coding system sent under several names: HL7 v2 says "LN", FHIR the URI.
_SYSTEM_ALIASES = {
    "ln": LOINC,
    "loinc": LOINC,
    LOINC: LOINC,
    "sct": SNOMED,
    "snm": SNOMED,
    "sno": SNOMED,
    SNOMED: SNOMED,
    "i10": ICD10CM,
    "i10c": ICD10CM,
    "icd10cm": ICD10CM,
    "icd10": ICD10CM,
    ICD10CM: ICD10CM,
    # WHO's ICD-10, of which ICD-10-CM is the US extension: the families listed are the same
    "http://hl7.org/fhir/sid/icd-10": ICD10CM,
    "rxnorm": RXNORM,
    "rxn": RXNORM,
    RXNORM: RXNORM,
}


def system_key(system: Any) -> str:
    text = str(system or "").strip()
    return _SYSTEM_ALIASES.get(text.lower(), text)


@dataclass(frozen=True)
class SensitiveCode:
    system: str
    code: str
    display: str = ""


@dataclass(frozen=True)
class SensitiveCategory:
    category: str
    label: str
    codes: tuple[SensitiveCode, ...]


def _loinc(*pairs: tuple[str, str]) -> tuple[SensitiveCode, ...]:
    return tuple(SensitiveCode(LOINC, code, display) for code, display in pairs)


def _icd10(*pairs: tuple[str, str]) -> tuple[SensitiveCode, ...]:
    return tuple(SensitiveCode(ICD10CM, code, display) for code, display in pairs)


def _snomed(*pairs: tuple[str, str]) -> tuple[SensitiveCode, ...]:
    return tuple(SensitiveCode(SNOMED, code, display) for code, display in pairs)


def _rxnorm(*pairs: tuple[str, str]) -> tuple[SensitiveCode, ...]:
    return tuple(SensitiveCode(RXNORM, code, display) for code, display in pairs)


def _normalized(system: str, code: str) -> str:
    """A code as it is compared: an ICD-10 code without its dot and in capitals."""
    return code.replace(".", "").upper() if system in PREFIX_SYSTEMS else code


# A starting point, reviewed by each clinic's admins: codes whose mere presence on a record says
# something a parent or agent must not learn from the portal. Common LOINC codes of tests and note
# types; the ICD-10 families of the conditions (by prefix) and a few SNOMED CT concepts for senders
# that code conditions so; RxNorm ingredient codes of medications that name their condition
# (opioid use disorder treatment, HIV treatment and PrEP, misoprostol). A medication coded by its
# product (an RxNorm clinical drug) matches only when that product code is listed: each clinic adds
# the products its prescribers send.
_DEFAULTS: dict[str, tuple[SensitiveCode, ...]] = {
    "sexual_reproductive": _loinc(
        ("2106-3", "Choriogonadotropin (pregnancy test) [Presence] in Urine"),
        ("2118-8", "Choriogonadotropin (pregnancy test) [Presence] in Serum or Plasma"),
        ("19080-1", "Choriogonadotropin [Units/volume] in Serum or Plasma"),
        ("21198-7", "Choriogonadotropin.beta subunit [Units/volume] in Serum or Plasma"),
        ("43304-5", "Chlamydia trachomatis rRNA [Presence] in Specimen by NAA with probe detection"),
        ("43305-2", "Neisseria gonorrhoeae rRNA [Presence] in Specimen by NAA with probe detection"),
        ("20507-0", "Reagin Ab [Presence] in Serum by RPR"),
        ("22461-8", "Reagin Ab [Presence] in Serum"),
        ("21440-3", "Human papilloma virus DNA [Presence] in Cervix by Probe"),
        ("10524-7", "Microscopic observation [Identifier] in Cervix by Cyto stain"),
    )
    + _icd10(
        ("O", "Pregnancy, childbirth and the puerperium (O00-O9A)"),
        ("Z30", "Encounter for contraceptive management"),
        ("Z32", "Encounter for pregnancy test"),
        ("Z33", "Pregnant state"),
        ("Z34", "Encounter for supervision of normal pregnancy"),
        ("A5", "Infections with a predominantly sexual mode of transmission (A50-A59)"),
        ("A60", "Anogenital herpesviral infections"),
        ("A63", "Other predominantly sexually transmitted diseases"),
        ("A64", "Unspecified sexually transmitted disease"),
    )
    + _snomed(
        ("77386006", "Pregnancy"),
        ("8098009", "Sexually transmitted infectious disease"),
    )
    + _rxnorm(("42331", "misoprostol")),
    "mental_health": _loinc(
        ("44249-1", "PHQ-9 quick depression assessment panel"),
        ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score"),
        ("69737-5", "Generalized anxiety disorder 7 item (GAD-7)"),
        ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score"),
        ("28627-8", "Psychiatry Progress note"),
    )
    + _icd10(
        ("F2", "Schizophrenia, schizotypal and delusional disorders (F20-F29)"),
        ("F3", "Mood disorders (F30-F39)"),
        ("F4", "Anxiety, stress-related and other nonpsychotic disorders (F40-F48)"),
        ("F5", "Behavioral syndromes with physiological disturbances (F50-F59)"),
        ("F6", "Disorders of adult personality and behavior (F60-F69)"),
        ("F7", "Intellectual disabilities (F70-F79)"),
        ("F8", "Pervasive and specific developmental disorders (F80-F89)"),
        ("F9", "Behavioral and emotional disorders with onset in childhood (F90-F99)"),
    )
    + _snomed(
        ("35489007", "Depressive disorder"),
        ("58214004", "Schizophrenia"),
    ),
    "substance_use": _loinc(
        ("19295-5", "Opiates [Presence] in Urine by Screen method"),
        ("3397-7", "Cocaine [Presence] in Urine"),
        ("5643-2", "Ethanol [Mass/volume] in Serum or Plasma"),
        ("72109-2", "Alcohol Use Disorder Identification Test - Consumption [AUDIT-C]"),
        ("75626-2", "Total score [AUDIT-C]"),
    )
    + _icd10(("F1", "Mental and behavioral disorders due to psychoactive substance use (F10-F19)"))
    + _snomed(
        ("7200002", "Alcoholism"),
        ("66214007", "Substance abuse"),
    )
    + _rxnorm(
        ("1819", "buprenorphine"),
        ("6813", "methadone"),
        ("7243", "naltrexone"),
    ),
    "hiv": _loinc(
        ("75622-1", "HIV 1+2 Ab+HIV1 p24 Ag [Presence] in Serum or Plasma by Immunoassay"),
        ("56888-1", "HIV 1+2 Ab+HIV1 p24 Ag [Presence] in Serum or Plasma"),
        ("7918-6", "HIV 1+2 Ab [Presence] in Serum"),
        ("68961-2", "HIV 1 Ab [Presence] in Serum, Plasma or Blood by Rapid immunoassay"),
        ("20447-9", "HIV 1 RNA [#/volume] (viral load) in Serum or Plasma by NAA with probe detection"),
        ("25836-8", "HIV 1 RNA [#/volume] (viral load) in Serum or Plasma by NAA with probe detection"),
    )
    + _icd10(
        ("B20", "Human immunodeficiency virus [HIV] disease"),
        ("B21", "HIV disease resulting in malignant neoplasms (ICD-10)"),
        ("B22", "HIV disease resulting in other specified diseases (ICD-10)"),
        ("B23", "HIV disease resulting in other conditions (ICD-10)"),
        ("B24", "Unspecified HIV disease (ICD-10)"),
        ("Z21", "Asymptomatic HIV infection status"),
    )
    + _snomed(("86406008", "Human immunodeficiency virus infection"))
    + _rxnorm(
        ("276237", "emtricitabine (HIV treatment, and PrEP with tenofovir)"),
        ("322248", "tenofovir disoproxil (HIV treatment, and PrEP with emtricitabine)"),
        ("11413", "zidovudine"),
        ("68244", "lamivudine"),
        ("190521", "abacavir"),
        ("195085", "efavirenz"),
        ("719872", "raltegravir"),
        ("1433868", "dolutegravir"),
        ("460132", "darunavir"),
    ),
    "genetic": _loinc(
        ("51969-4", "Genetic analysis report"),
        ("55232-3", "Genetic analysis summary panel"),
        ("81247-9", "Master HL7 genetic variant reporting panel"),
        ("69548-6", "Genetic variant assessment"),
    ),
}


@dataclass(frozen=True)
class SensitiveLists:
    """An organization's lists, one per category, in CATEGORIES' order."""

    categories: tuple[SensitiveCategory, ...]

    @cached_property
    def codes(self) -> frozenset[tuple[str, str]]:
        """Every listed code as (its system's one name, the code as compared): what an item is
        checked against."""
        return frozenset(
            (system_key(c.system), _normalized(system_key(c.system), c.code))
            for cat in self.categories
            for c in cat.codes
        )

    @cached_property
    def _prefixes(self) -> dict[str, tuple[str, ...]]:
        kept: dict[str, list[str]] = {}
        for system, code in self.codes:
            if system in PREFIX_SYSTEMS:
                kept.setdefault(system, []).append(code)
        return {system: tuple(codes) for system, codes in kept.items()}

    def lists(self, system: str, code: str) -> bool:
        """Whether a code (its system's one name, the code as sent) is on these lists: the same
        code, or for ICD-10 a code under a listed one."""
        code = _normalized(system, code)
        if (system, code) in self.codes:
            return True
        return any(code.startswith(prefix) for prefix in self._prefixes.get(system, ()))

    def as_json(self) -> dict[str, Any]:
        return {
            "categories": [
                {
                    "category": cat.category,
                    "label": cat.label,
                    "codes": [{"system": c.system, "code": c.code, "display": c.display} for c in cat.codes],
                }
                for cat in self.categories
            ]
        }

    @classmethod
    def from_json(cls, value: Any) -> SensitiveLists:
        """A stored value or an admin's: every problem refused at once, each naming its field. A
        category left out is an empty list (an admin may clear one); its label is always ours."""
        if value is None:
            return DEFAULT_LISTS
        problems = Problems()
        given = value.get("categories") if isinstance(value, dict) else None
        if not isinstance(given, list):
            problems.add("categories", "a list", "The sensitive code lists are a list of categories.")
            problems.raise_if_any("The sensitive code lists are not valid.")
        by_category: dict[str, tuple[SensitiveCode, ...]] = {}
        for index, item in enumerate(given or []):
            place = f"categories.{index}"
            item = item if isinstance(item, dict) else {}
            category = item.get("category")
            if category not in CATEGORIES:
                problems.add(f"{place}.category", "unknown", f"The categories are {', '.join(CATEGORIES)}.")
                continue
            if category in by_category:
                problems.add(f"{place}.category", "repeated", "Each category is listed once.")
                continue
            by_category[category] = _codes(item.get("codes"), f"{place}.codes", problems)
        problems.raise_if_any("The sensitive code lists are not valid.")
        return cls(tuple(SensitiveCategory(name, LABELS[name], by_category.get(name, ())) for name in CATEGORIES))


def _codes(value: Any, place: str, problems: Problems) -> tuple[SensitiveCode, ...]:
    if not isinstance(value, list) or len(value) > MAX_CODES:
        problems.add(place, f"a list of up to {MAX_CODES}", f"A category lists up to {MAX_CODES} codes.")
        return ()
    codes: list[SensitiveCode] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(value):
        item = item if isinstance(item, dict) else {}
        system, code, display = item.get("system"), item.get("code"), item.get("display", "")
        wrong = False
        if not isinstance(system, str) or not system.strip() or len(system) > MAX_SYSTEM:
            problems.add(f"{place}.{index}.system", "required", "Each code names its system (http://loinc.org ...).")
            wrong = True
        if not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE or any(c.isspace() for c in code):
            problems.add(f"{place}.{index}.code", "required", f"Each code is 1 to {MAX_CODE} characters, no spaces.")
            wrong = True
        if not isinstance(display, str) or len(display) > MAX_DISPLAY:
            problems.add(f"{place}.{index}.display", "too long", f"A name is up to {MAX_DISPLAY} characters.")
            wrong = True
        if wrong:
            continue
        assert isinstance(system, str) and isinstance(code, str) and isinstance(display, str)
        key = (system_key(system), code.strip())
        if key in seen:
            continue  # the same code twice says nothing more
        seen.add(key)
        codes.append(SensitiveCode(system.strip(), code.strip(), display.strip()))
    return tuple(codes)


DEFAULT_LISTS = SensitiveLists(tuple(SensitiveCategory(n, LABELS[n], _DEFAULTS[n]) for n in CATEGORIES))


def lists_of(organization: Any) -> SensitiveLists:
    """The lists an organization keeps (accounts.domain.Organization, or None): the defaults
    until an admin sets them, and when what is stored no longer reads (a stored list is never a
    reason for a page to fail; the defaults err towards hiding)."""
    stored = getattr(organization, "sensitive_codes", None)
    try:
        return SensitiveLists.from_json(stored)
    except ValidationFailed:
        return DEFAULT_LISTS


def flagged(content: Mapping[str, Any]) -> bool:
    """Whether the sender flagged the item: confidentiality R or V, or a sensitivity label."""
    if str(content.get("confidentiality") or "").upper() in RESTRICTED:
        return True
    return any(str(label).upper() in SENSITIVITY_LABELS for label in content.get("security_labels") or ())


def item_codes(content: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """Every code an item names: its own (a result's test, a document's type), each of its
    observations', and a health-summary entry's coded fields (the condition, the substance ...);
    of each, every coding the sender gave (``codings``: a lab's own code and its LOINC code), and
    a medication's RxNorm code."""
    candidates: list[Any] = [content.get("code")]
    candidates.extend(o.get("code") for o in content.get("observations") or () if isinstance(o, dict))
    candidates.extend(v for k, v in content.items() if k not in ("code", "observations") and isinstance(v, dict))
    for concept in candidates:
        if not isinstance(concept, dict):
            continue
        for coding in (concept, *(c for c in concept.get("codings") or () if isinstance(c, dict))):
            if coding.get("code"):
                yield system_key(coding.get("system")), str(coding["code"]).strip()
    if content.get("rxnorm"):
        yield RXNORM, str(content["rxnorm"]).strip()


def is_sensitive(item: Any, lists: SensitiveLists) -> bool:
    """Whether an item (a filed result, document or health-summary entry, or its content) is
    sensitive care: its sender flagged it, or one of its codes is on the organization's lists."""
    content: Mapping[str, Any] = getattr(item, "content", item)
    return flagged(content) or any(lists.lists(system, code) for system, code in item_codes(content))
