/** Every audit event type the messaging, refill, medication and care-team code writes, as found in
 * chalicelib/messaging/service.py, chalicelib/refills/service.py (a decision writes
 * `refill.<status>`: approved or denied, chalicelib/refills/domain.py's Status) and
 * chalicelib/careteams/service.py, and check-in's (chalicelib/checkin/service.py, visits.py). A new event type there belongs here too, so that the access
/** Every audit event type the messaging, refill, medication, care-team and appointment code writes
 * about a patient, as found in chalicelib/messaging/service.py, chalicelib/refills/service.py (a
 * decision writes `refill.<status>`: approved or denied, chalicelib/refills/domain.py's Status),
 * chalicelib/careteams/service.py and chalicelib/appointments/ (service.py, requests_service.py,
 * staff_requests.py). A new event type there belongs here too, so that the access
 * log never shows a patient an internal code for it. */
export const messagingAndRefillEventTypes = [
  "messages.list",
  "messages.read",
  "messages.sent",
  "messages.inbox_read",
  "messages.assigned",
  "messages.status_changed",
  "messages.urgent_marked",
  "messages.urgent_cleared",
  "messages.attachment_started",
  "messages.attachment_checked",
  "messages.attachment_refused",
  "messages.attachment_read",
  "medications.list",
  "refill.requested",
  "refill.refused",
  "refill.approved",
  "refill.denied",
  "refill_requests.list",
  "refill_request.read",
  "refill_queue.read",
  "care_teams.list",
  "care_teams.read",
  "care_team.create",
  "care_team.update",
  "care_team.members",
  "checkin.read",
  "checkin.details_confirmed",
  "checkin.change_requested",
  "checkin.answered",
  "checkin.completed",
  "checkin.refused",
  "checkins.day_read",
  // chalicelib/checkin/signing.py: a form signed at check-in, and a signed form opened
  "checkin.form_signed",
  "checkin.signed_form.read",
  "appointments.video.open",
  "appointment.read",
  "appointment.cancelled",
  "appointment.cancel_refused",
  "appointment_request.requested",
  "appointment_requests.list",
  "appointment_request.read",
  "appointment_request.accepted",
  "appointment_request.proposal_declined",
  "appointment_request.withdrawn",
  "appointment_request.proposed",
  "appointment_request.booked",
  "appointment_request.declined",
  // chalicelib/identity/trusted_persons.py and redemption.py: a patient invites a trusted person,
  // who takes the invitation up
  "proxy.invited",
  "proxy.accepted",
  // chalicelib/proxies/grants.py: who may act for the patient, and how that changed
  "proxies.list",
  "proxy.revoked",
  "proxy.consented",
  "proxy.declined",
  "proxy.renewed",
  "proxy.terminated",
  "proxy.ended",
  "proxy.narrowed",
  "proxy.exported",
  // chalicelib/proxies/review.py: staff's review of a request for proxy access, once it is
  // matched to the patient's record (before that it is on the requester's own trail)
  "proxy_request_queue.read",
  "proxy_request.read",
  "proxy_request.matched",
  "proxy_request.approved",
  "proxy_request.denied",
  "proxy_request.document_read",
  "proxy_request.signed_form_read",
  // chalicelib/access/service.py: a proxy with read-only access refused an action
  "records.act",
  // chalicelib/apps/fhir_api/service.py: a connected health app read or searched the record
  "fhir.read",
  "fhir.search",
  // chalicelib/apps/oauth/: a health app connected, refused, signing in, disconnected; the list
  "app.authorize",
  "app.deny",
  "app.token",
  "app.revoke",
  "app.list",
  // chalicelib/apps/fhir_api/: a health app's reads of the record
  "fhir.read",
  "fhir.search",
  // chalicelib/apps/export: a download of the record asked for, built (each area read), handed out
  "record.export",
  "record.export_read",
  "record.export_download",
  // SMART Health Links (chalicelib/apps/health_links/sharing.py, manifest.py)
  "health_link.create",
  "health_link.use",
  "health_link.revoke",
];
