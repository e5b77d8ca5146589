// The patient's messaging pages, loaded together the first time one opens.
export { Compose } from "./Compose";
export { Inbox } from "./Inbox";
export { ThreadPage } from "./ThreadPage";
