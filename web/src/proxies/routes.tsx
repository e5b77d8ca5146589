import { lazyPages } from "../components/lazyPages";

const at = lazyPages(() => import("./pages"));

/**
 * Proxy access: asking to act for someone (a child, an adult one is a guardian or agent of), the
 * requests made; who can see the patient's own record; an invitation from a patient redeemed.
 * A request is named in addresses by its opaque id only.
 */
export const proxyRoutes = (
  <>
    {at("/proxy-requests", "Requests")}
    {at("/proxy-requests/new", "NewRequest")}
    {at("/proxy-requests/:requestId", "RequestPage")}
    {at("/sharing", "Sharing")}
    {at("/proxy-invitation", "Redeem")}
  </>
);
