"""Filing: an accepted feed message becomes patient records.

1. The sender must be registered to an organization (a feed source); its bare identifiers get
   the source's default assigning authority, or the message goes to quarantine.
2. The patient is matched on identifier plus authority only, within that organization. An
   unknown patient is created from the message (the EHR is the source of truth), never from a
   mere reference (FHIR "Patient/<id>" of a patient the sender has not sent); identifiers that
   name two different patients go to quarantine, never to a guessed one. A40 merges, and copies
   the merged record's records under the survivor.
3. Each result, document or entry (allergy, condition, medication, immunization, visit,
   appointment) is stored as a new version when its content changed (a resend changes nothing;
   an older message never replaces newer data); a cancelled one is withdrawn. Results and
   documents are released as the organization's policy and the patient's own choice say
   (release.policy); entries at once.
4. The patient, if enrolled, is told that something new is waiting (portal inbox, and email by
   their preference at sending time): one notice per patient per ten minutes, however many
   results arrive; a delayed release is announced by a guarded Step Functions timer.

Anything that makes a message impossible to file raises Unreadable (the caller quarantines it
with the reason); a failing dependency raises, and the queue delivers the message again, which
files it again: every step is idempotent.

The modules, one idea each:

- service: file_message, the loop over a message's patients and items (and read, Filed, describe);
- matching (step 2), merges (A40);
- filers: the registry of filers, one per kind of item; results, documents and entries register
  theirs (step 3), each on versions, the compare-and-write loop they share;
- aftereffects: worklist items and withdrawal; the "something waiting" notice and its timer are
  release's (release.notices) (step 4).

service imports matching, merges, aftereffects and the filer modules (which fills the registry);
a filer module imports filers and versions (documents also entries, for visit numbers); nothing
in the package imports service.
"""
