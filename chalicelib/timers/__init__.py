"""Dated events: "at this moment, put this message on that queue", run by the Step Functions
state machine DatedEventStateMachine (infra/template.yaml). Used for delayed release of results,
reminders and expiries. A timer can be cancelled until it fires; starting a pending timer again
with the same message starts it once, and any other reuse of a timer id is a Conflict."""
