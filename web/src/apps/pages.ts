// The health-app pages, loaded together as one chunk of their own the first time one is opened.
export { AdminApps } from "./AdminApps";
export { Authorize } from "./Authorize";
export { ConnectedApps } from "./ConnectedApps";
