import type { Schemas } from "../api/client";

// The messaging API's shapes (docs/api.md, "Secure messaging"), by the names the pages use.

export type ThreadStatus = Schemas["ThreadSummary"]["status"];
export type Attachment = Schemas["Attachment"];
export type AttachmentUpload = Schemas["AttachmentUpload"];
export type AttachmentLink = Schemas["AttachmentLink"];
export type ThreadSummary = Schemas["ThreadSummary"];
export type ThreadPage = Schemas["ThreadPage"];
export type Message = Schemas["Message"];
export type Thread = Schemas["Thread"];
export type StaffThreadSummary = Schemas["StaffThreadSummary"];
export type StaffThread = Schemas["StaffThread"];
export type StaffTeamInbox = Schemas["TeamInbox"];
