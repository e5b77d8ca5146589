"""What the record routes take and give (see kernel/contract.py): a patient's results, the files
they carry, documents and the access log. The health summary's are in summary_contract.py.

Values from the clinical feeds are shown as the sender wrote them: times "as precise as sent"
(``2026-11-25``, ``2026-11-25T07:00:00-05:00``) are text, while the portal's own moments (when
something was released, filed or read) are UTC timestamps.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from chalicelib.audit.service import MAX_PAGE as AUDIT_MAX_PAGE
from chalicelib.kernel.contract import QueryModel, ResponseModel, WholeNumber, blank_is_absent

# -- shared value sets (tests/unit/test_records_contract.py holds them to records.domain) -----------

ResultCategory = Literal["lab", "pathology", "imaging", "other"]
# "signed-form": a form the patient signed at check-in (checkin/signing.py).
DocumentType = Literal["discharge-summary", "visit-summary", "report", "note", "signed-form"]
# A withdrawn ("cancelled") version is never the one shown, but may be an earlier one of a correction.
ReportStatus = Literal["preliminary", "final", "corrected", "pending", "cancelled"]
ShownStatus = Literal["preliminary", "final", "corrected", "pending"]


# -- query strings ----------------------------------------------------------------------------------


class RecordsPageQuery(QueryModel):
    """A page of a patient's list: `limit` and the previous page's `next_cursor`."""

    limit: WholeNumber = Field(20, ge=1, le=50, description="How many items at most.")
    cursor: str = Field("", max_length=2048, description="The `next_cursor` of the previous page.")


class ResultsQuery(RecordsPageQuery):
    category: Annotated[ResultCategory | None, BeforeValidator(blank_is_absent)] = Field(
        None, description="Only results of this category."
    )


class DocumentsQuery(RecordsPageQuery):
    type: Annotated[DocumentType | None, BeforeValidator(blank_is_absent)] = Field(
        None, description="Only documents of this type."
    )


class AccessLogQuery(QueryModel):
    limit: WholeNumber = Field(50, ge=1, le=AUDIT_MAX_PAGE, description="How many events at most.")
    cursor: str = Field("", max_length=2048, description="The `next_cursor` of the previous page.")


# -- results --------------------------------------------------------------------------------------


class OneCoding(ResponseModel):
    """One of the codings a sender gave one concept."""

    code: str
    display: str
    system: str


class Coding(ResponseModel):
    """A code as the sender gave it (any part may be empty)."""

    code: str
    display: str
    system: str = Field(description='The code system as sent: "LN", "http://loinc.org" ...')
    codings: list[OneCoding] = Field(
        default_factory=list,
        description="Every coding the sender gave (this one first), when it gave more than one: a lab's "
        "own code with its LOINC code, say. Left out otherwise.",
    )


class NumericValue(ResponseModel):
    type: Literal["numeric"]
    number: str = Field(description='As sent: "0.70" stays "0.70".')


class QuantityValue(ResponseModel):
    """A structured number: a comparison (`<5`), a range (`2-8`) or a ratio (`1:128`)."""

    type: Literal["quantity"]
    comparator: str = Field("", description="<, >, <=, >= or empty.")
    number: str = ""
    separator: str = Field("", description='"-", "/" or ":" between number and second, for a range or ratio.')
    second: str = ""


class CodedValue(ResponseModel):
    type: Literal["coded"]
    code: str = ""
    display: str = ""
    system: str = ""


class TextValue(ResponseModel):
    type: Literal["text"]
    text: str


class PointerValue(ResponseModel):
    type: Literal["pointer"]
    reference: str = Field(description="Where the sender keeps the value; shown as text, never fetched by the portal.")


class DocumentValue(ResponseModel):
    """A file the result carries (a lab's PDF rendering ...)."""

    type: Literal["document"]
    content_type: str = ""
    size: int = 0
    sha256: str = ""
    href: str | None = Field(
        None,
        description="The API path that answers a five-minute link to the file (302); "
        "absent on earlier versions and on files with no content.",
    )


class NoValue(ResponseModel):
    type: Literal["none"]


ObservationValue = Annotated[
    NumericValue | QuantityValue | CodedValue | TextValue | PointerValue | DocumentValue | NoValue,
    Field(discriminator="type"),
]


class Observation(ResponseModel):
    """One value of a report (an OBX; a FHIR Observation)."""

    code: Coding
    value: ObservationValue
    units: str | None
    reference_range: str | None
    flags: list[str] = Field(description="Abnormal flags as sent: H, L, HH, LL, A, AA, N ...")
    critical: bool = Field(description="A flag marks a critical value.")
    status: ReportStatus
    observed_at: str | None = Field(description="As precise as sent.")
    performer: str | None
    notes: list[str]


class Report(ResponseModel):
    """A report with its values, as the sender filed it."""

    code: Coding
    category: ResultCategory
    status: ReportStatus
    collected_at: str | None = Field(description="As precise as sent.")
    reported_at: str | None = Field(description="As precise as sent.")
    performing_lab: str | None
    ordering_provider: str | None
    notes: list[str]
    observations: list[Observation]


class ResultFields(ResponseModel):
    """What a list shows of a result, but when it is shown (see ResultSummary)."""

    result_id: str
    version: int = Field(description="1, then one more for each correction the sender filed.")
    status: ShownStatus
    category: ResultCategory
    name: str | None = Field(description="The test's name, else its code.")
    code: Coding | None
    collected_at: str | None = Field(description="As precise as sent.")
    reported_at: str | None = Field(description="As precise as sent.")
    abnormal: bool = Field(description="A value carries an abnormal flag.")
    critical: bool = Field(description="A value is critical.")
    observation_count: int


class ResultSummary(ResultFields):
    """A result as a list shows it."""

    released_at: datetime = Field(description="When it was shown to the patient.")


class ResultsPage(ResponseModel):
    results: list[ResultSummary] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last one.")


class EarlierVersion(ResponseModel):
    version: int
    status: ReportStatus
    filed_at: datetime
    report: Report


class Result(ResultSummary):
    """A result with its values, and every earlier version of a corrected one."""

    report: Report
    has_numeric_values: bool = Field(
        description="A value is a plain number (not cancelled): only then has GET .../trends anything to draw."
    )
    earlier_versions: list[EarlierVersion] = Field(description="Newest first.")


class TrendPoint(ResponseModel):
    """One numeric value of the test, in one of the patient's results."""

    result_id: str = Field(description="The result it comes from.")
    at: str | None = Field(description="When it was observed (else collected, else reported), as precise as sent.")
    value: str = Field(description='The number as sent: "0.70" stays "0.70".')
    units: str | None
    reference_range: str | None
    flags: list[str]
    critical: bool
    outside_window: bool = Field(
        description="The viewed result's own value, older than the results the answer looked through "
        "(see `complete`): values between it and the other points may be missing, so a chart does not "
        "join it to them."
    )


class Trend(ResponseModel):
    """A test of this result, in this result's units, with every numeric value in those units the
    patient's shown results hold for it. A test is its coding system and code; units are compared
    ignoring case and spaces ("mg/dL" is "mg/dl"). Cancelled and entered-in-error values are left out."""

    code: Coding
    units: str | None = Field(description="The units of every point, as this result sends them.")
    points: list[TrendPoint] = Field(description="Oldest first: the line a chart draws.")
    other_units: list[TrendPoint] = Field(
        description="The same test's values in other units (mg/dL beside mmol/L), oldest first: "
        "never drawn on the same line as `points`, where the same number means something else."
    )


class Trends(ResponseModel):
    trends: list[Trend] = Field(
        description="One for each test of the result with a numeric value (and its units), in the result's order."
    )
    complete: bool = Field(
        description="false when the patient has more results than one answer looks through: values of "
        "older results are then left out, but for the viewed result's own (marked `outside_window`)."
    )


class FileLinkView(ResponseModel):
    """A link to a file that works for five minutes, for a page that must call with its token and
    then open the link itself (a redirect cannot carry the token)."""

    url: str = Field(description="The link. It needs no token: treat it as the file itself, and do not keep it.")
    expires_at: datetime = Field(description="When the link stops working.")
    media_type: str = Field(description="The type the link answers with (application/octet-stream: a download).")
    disposition: Literal["inline", "attachment"] = Field(
        description="inline: a browser shows it; attachment: a browser saves it."
    )


# Files are answered as a redirect (http.routing.REDIRECT): the body is empty, the link is in the
# Location header. A file is never streamed through the API; the link is a bearer token to PHI that
# works for five minutes.


# -- documents ------------------------------------------------------------------------------------


class DocumentFields(ResponseModel):
    """What a list shows of a document, but when it is shown (see DocumentSummary)."""

    document_id: str
    version: int
    type: DocumentType
    title: str | None
    status: ReportStatus
    authored_at: str | None = Field(description="As precise as sent.")
    author: str | None
    content_type: str = Field(description="The media type of the file GET .../content links to.")
    size: int = Field(description="The file's size in bytes.")
    revision: Literal["updated", "replacement"] | None = Field(
        None,
        description='How this version came to be: "replacement", the sender replaced the document; '
        '"updated", the sender changed a document already shown (edited, completed, signed). '
        "The earlier versions are kept (GET .../documents/{document_id}). null: the first version.",
    )
    addendum_to: str | None = Field(
        None, description="When this document is an addendum: the document_id of the document it adds to."
    )


class DocumentSummary(DocumentFields):
    released_at: datetime = Field(description="When it was shown to the patient.")
    addendum_to_title: str | None = Field(
        None,
        description="The title of the document an addendum adds to, while the patient is shown that document; "
        "null otherwise.",
    )


class EarlierDocumentVersion(ResponseModel):
    """A version the sender replaced or changed, as it was shown to the patient."""

    version: int
    status: ReportStatus
    filed_at: datetime = Field(description="When the portal filed it.")
    authored_at: str | None = Field(description="As precise as sent.")
    title: str | None
    content_type: str = Field(description="The media type of its file (empty: no file).")
    size: int = Field(description="The file's size in bytes.")


class DocumentDetail(DocumentSummary):
    """One document, with the earlier versions the patient was shown."""

    earlier_versions: list[EarlierDocumentVersion] = Field(
        description="Newest first: GET .../versions/{version}/content-link opens each one's file."
    )
    addenda: list[DocumentSummary] = Field(
        description="The addenda to this document the patient is shown, among the 50 newest documents."
    )


class DocumentsPage(ResponseModel):
    documents: list[DocumentSummary] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last one.")


NEXT_CURSOR = "Pass as `cursor` for the next page; null on the last one."


# -- the access log -------------------------------------------------------------------------------


class AccessEvent(ResponseModel):
    at: datetime
    who: Literal["you", "proxy", "app", "patient", "staff", "admin", "system", "anonymous"] = Field(
        description='"you" for the caller\'s own reads, "proxy" for someone acting for the patient, '
        '"app" for a health app connected to the record, '
        "else a role: staff are not named, and the clinical feeds are system."
    )
    what: str = Field(description='What happened, e.g. "result.read", "results.list".')
    outcome: Literal["success", "denied", "failure"]
    resource_type: str | None = Field(description="The FHIR resource type it concerned.")
    proxy_name: str | None = Field(
        description='For "proxy": the name the patient\'s list of proxies gives the person acting '
        "(their grant's `proxy_name`); null otherwise, or when that grant is not found.",
    )
    app_name: str | None = Field(
        default=None,
        description='For "app": the health app\'s name as it was when the patient connected it; null otherwise.',
    )


class AccessLog(ResponseModel):
    events: list[AccessEvent] = Field(description="Newest first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)
