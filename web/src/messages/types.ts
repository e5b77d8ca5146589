// The messaging API's shapes (docs/api.md, "Secure messaging"), as the pages use them.

export type ThreadStatus = "open" | "waiting_on_patient" | "closed";
export type Side = "patient" | "care_team";

export interface Attachment {
  attachment_id: string;
  file_name: string;
  content_type: "application/pdf" | "image/jpeg" | "image/png";
  size_bytes: number;
  status: string;
}

export interface AttachmentUpload extends Attachment {
  upload: { url: string; fields: Record<string, string> };
  expires_at: string;
  max_bytes: number;
}

export interface ThreadSummary {
  thread_id: string;
  subject: string;
  care_team: { team_id: string; name: string };
  status: ThreadStatus;
  urgent: boolean;
  last_message_at: string;
  last_message_from: Side;
  message_count: number;
  unread_count: number;
}

export interface ThreadPage {
  threads: ThreadSummary[];
  next_cursor: string | null;
  unread_count: number;
}

export interface Message {
  message_id: string;
  from: Side;
  author: string;
  body: string;
  sent_at: string;
  attachments: Attachment[];
  read: boolean;
}

export interface Thread extends ThreadSummary {
  messages: Message[];
  urgent_notice: string | null;
  care_team_phone: string | null;
}

export interface StaffThreadSummary extends ThreadSummary {
  patient: { patient_id: string; name: string; birth_date: string };
  assigned_to: { account_id: string; name: string } | null;
  waiting_since: string | null;
  reply_due_by: string | null;
  overdue: boolean;
}

export interface StaffThread extends StaffThreadSummary {
  messages: Message[];
  urgent_notice: string | null;
  urgent_marked_by: string | null;
  urgent_marked_at: string | null;
}

export interface StaffTeamInbox {
  team_id: string;
  name: string;
  open_count: number;
  unread_count: number;
  overdue_count: number;
}

export interface AttachmentLink {
  url: string;
  file_name: string;
  content_type: string;
}
