"""Dated events: "at this moment, put this message on that queue", run by the Step Functions
state machine DatedEventStateMachine (infra/template.yaml). Used for delayed release of results,
reminders and expiries. A timer can be cancelled until it fires; starting the same timer id
twice starts it once."""
