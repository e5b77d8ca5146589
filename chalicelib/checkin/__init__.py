"""Check-in: what a patient does on a phone before a visit, and the papers it leaves.

From a few days before an upcoming visit until it starts (``window``; the window itself is the
appointment's, appointments/check_in_window.py), a patient confirms demographics and insurance
(changes go to staff's worklist as a request, never straight into the chart), answers the visit
type's questionnaire and signs the forms staff attached to it, then finishes. The modules, by idea:

- the journey: ``service`` (read, confirm details, answer, complete), ``visit`` (the visit and
  what its type asks), ``shown`` (the CheckIn answered), ``responses`` (the answers as a FHIR
  QuestionnaireResponse), ``domain`` (records and the answers' rules), ``stores``, ``routes``,
  ``checkin_contract``;
- staff's view: ``visits`` (the organization's visits by day, kept by the feed's filing, and each
  visit's check-in);
- forms and signing: ``forms`` and ``questionnaire`` (what admins keep), ``signing``,
  ``signatures`` and ``paper`` (a signed form, its record and its PDF), ``contract``,
  ``form_routes``;
- ``signed_form``: the signed PDF of one form (the form's text, the answers, the signature block and
  an audit footer on every page), pure: no storage, no clock, no network. The same input gives the
  same bytes, so the SHA-256 recorded beside the stored PDF can be checked again at any time.
"""
