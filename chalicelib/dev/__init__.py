"""Developer tools of the local stage (404 in any other stage): the mailbox of the email that the
local SES stand-in accepted, so a person can follow an invitation link as a patient would."""
