import { lazyPages } from "../components/lazyPages";

const at = lazyPages(() => import("./pages"));

/**
 * The patient's secure messages with their care teams: the inbox, a new message, one conversation.
 * Loaded as a chunk of their own on first use, so the first page stays small. A conversation is
 * named in the address by its opaque id only.
 */
export const messageRoutes = (
  <>
    {at("/messages", "Inbox")}
    {at("/messages/new", "Compose")}
    {at("/messages/:threadId", "ThreadPage")}
  </>
);
