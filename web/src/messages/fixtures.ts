import type { Attachment, AttachmentUpload, Message, StaffThread, StaffThreadSummary, Thread, ThreadSummary } from "./types";

// The messaging API's answers the component tests fake, in its documented shapes (docs/api.md).

export const PATIENT = "p-1"; // test/fixtures.ts me()'s record
export const TEAM = { team_id: "team-primary", name: "Primary Care" };

export function summary(id: string, extra: Partial<ThreadSummary> = {}): ThreadSummary {
  return {
    thread_id: id,
    subject: "Question about my blood pressure pills",
    care_team: TEAM,
    status: "open",
    urgent: false,
    last_message_at: "2026-12-01T15:00:00Z",
    last_message_from: "care_team",
    message_count: 2,
    unread_count: 0,
    ...extra,
  };
}

export const pdf: Attachment = {
  attachment_id: "att-1",
  file_name: "home-readings.pdf",
  content_type: "application/pdf",
  size_bytes: 250_000,
  status: "ready",
};

export function message(id: string, extra: Partial<Message> = {}): Message {
  return {
    message_id: id,
    from: "patient",
    author: "Ada Lovelace",
    body: "My readings this week are attached.",
    sent_at: "2026-12-01T09:00:00Z",
    attachments: [],
    read: true,
    sent_by: null,
    yours: false,
    ...extra,
  };
}

export const reply = message("m-2", {
  from: "care_team",
  author: "Grace Okoro, Primary Care",
  body: "Thank you. Keep taking them;\nwe will see you next week.",
  sent_at: "2026-12-01T15:00:00Z",
  read: false,
});

export function thread(id: string, extra: Partial<Thread> = {}): Thread {
  return {
    ...summary(id, { unread_count: 1 }),
    messages: [message("m-1", { attachments: [pdf] }), reply],
    urgent_notice: null,
    care_team_phone: "518-555-0100",
    ...extra,
  };
}

export function upload(extra: Partial<AttachmentUpload> = {}): AttachmentUpload {
  return {
    ...pdf,
    status: "waiting_for_upload",
    upload: {
      url: "http://storage.test/attachments-bucket",
      fields: { key: "uploads/server-made-key", "Content-Type": "application/pdf", policy: "cG9saWN5", "x-amz-signature": "sig" },
    },
    expires_at: "2026-12-01T09:15:00Z",
    max_bytes: 10485760,
    ...extra,
  };
}

export const DANA = { patient_id: "pat-dana", name: "Dana M Rivera", birth_date: "1984-03-09" };

export function staffSummary(id: string, extra: Partial<StaffThreadSummary> = {}): StaffThreadSummary {
  return {
    ...summary(id, { last_message_from: "patient", unread_count: 1 }),
    patient: DANA,
    assigned_to: null,
    waiting_since: "2026-12-01T09:00:00Z",
    reply_due_by: "2026-12-04T09:00:00Z",
    overdue: false,
    ...extra,
  };
}

export function staffThread(id: string, extra: Partial<StaffThread> = {}): StaffThread {
  return {
    ...staffSummary(id),
    messages: [message("m-1", { author: "Dana M Rivera", attachments: [pdf], read: false })],
    urgent_notice: null,
    urgent_marked_by: null,
    urgent_marked_at: null,
    ...extra,
  };
}
