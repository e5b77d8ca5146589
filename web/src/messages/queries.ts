import { api } from "../api/client";
import { load } from "../api/errors";

// Every query is keyed by the session's token: another session never sees what this one cached.
export const inboxKey = (token: string) => ["messages", token];
export const threadKey = (token: string, patientId: string, threadId: string) => ["message-thread", token, patientId, threadId];
export const careTeamsKey = (token: string, patientId: string) => ["care-teams", token, patientId];

export const PAGE_SIZE = 20;

export const fetchInbox = (patientId: string, cursor: string) =>
  load(() =>
    api.GET("/v1/patients/{patient_id}/messages", {
      params: { path: { patient_id: patientId }, query: { limit: PAGE_SIZE, ...(cursor && { cursor }) } },
    }),
  );

export const fetchThread = (patientId: string, threadId: string) =>
  load(() =>
    api.GET("/v1/patients/{patient_id}/messages/{thread_id}", {
      params: { path: { patient_id: patientId, thread_id: threadId } },
    }),
  );

export const fetchCareTeams = (patientId: string) =>
  load(() => api.GET("/v1/patients/{patient_id}/care-teams", { params: { path: { patient_id: patientId } } }));

export const fetchAttachmentLink = (patientId: string, threadId: string, attachmentId: string) =>
  load(() =>
    api.GET("/v1/patients/{patient_id}/messages/{thread_id}/attachments/{attachment_id}", {
      params: { path: { patient_id: patientId, thread_id: threadId, attachment_id: attachmentId } },
    }),
  );
