// The SMART Health Links pages (sharing, and the public viewer), loaded as one chunk of their own.
export { Share } from "./Share";
export { Viewer } from "./Viewer";
