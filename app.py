"""The Chalice application: wiring only.

Routes live in chalicelib/<capability>/routes.py as Blueprints. SQS event handlers are declared
here, not in Blueprints, because a Blueprint's event handlers lose the app's middleware once
deployed (chalice's GitHub issue #1566); their logic lives in chalicelib/<capability>/consumer.py.
Nothing here builds a client or touches the network: this import is the Lambda cold start.
The queue consumers are imported inside their handlers, so the API function never loads the HL7
parser or Powertools' batch utilities.
"""

from chalice import Chalice, ConvertToMiddleware, Rate

from chalicelib import settings, wiring
from chalicelib.access.routes import access_routes
from chalicelib.apidocs.routes import apidocs_routes
from chalicelib.appointments.routes import appointment_routes
from chalicelib.apps.export.routes import export_routes
from chalicelib.apps.fhir_api.routes import fhir_routes
from chalicelib.apps.health_links.routes import health_link_routes
from chalicelib.apps.oauth.admin_routes import admin_app_routes
from chalicelib.apps.oauth.routes import oauth_routes
from chalicelib.audit.service import record_access_denied
from chalicelib.careteams.routes import care_team_routes
from chalicelib.checkin.form_routes import checkin_form_routes
from chalicelib.checkin.routes import checkin_routes
from chalicelib.dev.routes import dev_routes
from chalicelib.feeds.routes import feed_routes
from chalicelib.health.routes import health_routes
from chalicelib.http.envelope import make_envelope
from chalicelib.http.idempotency import use_store as use_idempotency_store
from chalicelib.http.routing import check_responses_when
from chalicelib.identity.account_routes import account_routes
from chalicelib.identity.proxy_invitation_routes import proxy_invitation_routes
from chalicelib.identity.routes import identity_routes
from chalicelib.identity.staff_routes import staff_routes
from chalicelib.kernel.caller import Caller
from chalicelib.messaging.routes import messaging_routes
from chalicelib.notifications.routes import notification_routes
from chalicelib.observability import logger, metrics, tracing_middleware
from chalicelib.patients.routes import patient_routes
from chalicelib.proxies.grant_routes import grant_routes
from chalicelib.proxies.request_routes import proxy_request_routes
from chalicelib.records.routes import records_routes
from chalicelib.refills.routes import refill_routes
from chalicelib.release.routes import release_routes
from chalicelib.support.routes import support_routes
from chalicelib.worklist.routes import worklist_routes

# chalice's app.log and the Powertools logger are the same logging.Logger ("patient-portal"):
# configure_logs=False leaves its single (JSON) handler to Powertools.
app = Chalice(app_name="patient-portal", configure_logs=False)

app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context(clear_state=True)))
app.register_middleware(ConvertToMiddleware(metrics.log_metrics))
app.register_middleware(tracing_middleware(lambda: wiring.settings().tracing_enabled))


def _record_denial(caller: Caller, route: str, reason: str) -> None:
    """The audit event of a call refused by its route's access rule."""
    record_access_denied(wiring.container().audit_log, caller, route, reason, wiring.container().clock.now())


def _check_session(authorization: str) -> Caller | None:
    """The session check of every signed-in route, run by the envelope in this function (no
    gateway authorizer: one invocation per request). Imported on the first signed-in call."""
    from chalicelib.identity.session_check import authorize

    container = wiring.container()
    return authorize(container, authorization, container.clock.now())


app.register_middleware(
    make_envelope(
        app,
        lambda: wiring.settings().is_local,
        _record_denial,
        allowed_origins=lambda: wiring.settings().cors_allowed_origins,
        edge_secret=lambda: wiring.settings().edge_secret,
        check_session=_check_session,
    ),
    "http",
)

# Answers are checked against their declared models where it is cheap to fail: the local stack and
# the tests (see chalicelib/kernel/contract.py).
check_responses_when(lambda: wiring.settings().is_local)
# Kept answers of the Idempotency-Key header live in the idempotency table (http/idempotency.py).
use_idempotency_store(lambda: wiring.container().idempotency_store)

app.register_blueprint(apidocs_routes)
app.register_blueprint(health_routes)
app.register_blueprint(dev_routes)
app.register_blueprint(identity_routes)
app.register_blueprint(account_routes)
app.register_blueprint(staff_routes)
app.register_blueprint(proxy_invitation_routes)
app.register_blueprint(patient_routes)
app.register_blueprint(records_routes)
app.register_blueprint(release_routes)
app.register_blueprint(worklist_routes)
app.register_blueprint(feed_routes)
app.register_blueprint(notification_routes)
app.register_blueprint(care_team_routes)
app.register_blueprint(checkin_form_routes)
app.register_blueprint(checkin_routes)
app.register_blueprint(support_routes)
app.register_blueprint(refill_routes)
app.register_blueprint(messaging_routes)
app.register_blueprint(appointment_routes)
app.register_blueprint(grant_routes)
app.register_blueprint(proxy_request_routes)
app.register_blueprint(access_routes)
app.register_blueprint(fhir_routes)
app.register_blueprint(oauth_routes)
app.register_blueprint(admin_app_routes)
app.register_blueprint(export_routes)
app.register_blueprint(health_link_routes)


@app.on_sqs_message(queue=settings.CLINICAL_INBOUND_QUEUE_NAME, batch_size=10)
def on_clinical_feed_message(event):
    from chalicelib.feeds import consumer

    return consumer.handle_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=settings.NOTIFICATIONS_QUEUE_NAME, batch_size=10)
def on_notification_request(event):
    from chalicelib.notifications import consumer

    return consumer.handle_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=settings.APPOINTMENT_REMINDERS_QUEUE_NAME, batch_size=10)
def on_appointment_reminder(event):
    from chalicelib.appointments import consumer

    return consumer.handle_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=settings.PROXY_GRANT_TIMERS_QUEUE_NAME, batch_size=10)
def on_proxy_grant_timer(event):
    from chalicelib.proxies import consumer

    return consumer.handle_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=settings.RECORD_EXPORTS_QUEUE_NAME, batch_size=1)
def on_record_export(event):
    from chalicelib.apps.export import consumer

    return consumer.handle_batch(event.to_dict(), event.context)


# Every five minutes: the notices and release timers a queue or Step Functions refused are sent
# (release/outbox.py), and the FHIR events the outbound queue refused (outbound/producer.py).
# The local stack runs it on the same period (infra/local/stack.py).
@app.schedule(Rate(5, unit=Rate.MINUTES))
def drain_outbox(event):
    from chalicelib.outbound import producer
    from chalicelib.release import outbox

    container = wiring.container()
    drained = outbox.drain(container, container.clock.now())
    outbound = producer.drain(container)
    return {"sent": drained.sent + outbound.sent, "left": drained.left + outbound.left}
