"""Check-in: what a patient does on a phone before a visit, and the papers it leaves.

From a few days before an upcoming visit until it starts, a patient confirms demographics and
insurance (changes go to staff as a request, never straight into the chart), answers the visit
type's questionnaire and signs the forms staff attached to it. This package will hold that
journey's rules, services and routes; what is built so far:

- ``signed_form``: the signed PDF of one form (the form's text, the answers, the signature block and
  an audit footer on every page), pure: no storage, no clock, no network. The same input gives the
  same bytes, so the SHA-256 recorded beside the stored PDF can be checked again at any time.

The PDF is kept in the signed-documents bucket and leaves for the clinical systems as a
DocumentReference (``outbound.fhir.signed_form``); neither is this package's concern yet.
"""
