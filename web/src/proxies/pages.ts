// The proxy-access pages a patient opens now and then, loaded together as one chunk of their own.
export { NewRequest } from "./NewRequest";
export { Redeem } from "./Redeem";
export { RequestPage } from "./RequestPage";
export { Requests } from "./Requests";
export { Sharing } from "./Sharing";
